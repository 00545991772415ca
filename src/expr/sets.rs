//! qlib's built-in feature sets, by their names and expressions: Alpha158 (9 candlestick
//! features, 4 price ratios, 29 rolling features × 5 windows) and Alpha360 (60 days of 6
//! fields, each divided by today's close or volume), and qlib's default label.

/// qlib's default label: the return from the next close to the one after (2-day ahead).
pub const QLIB_LABEL: &str = "Ref($close, -2)/Ref($close, -1) - 1";

/// A built-in set's `(name, expression)` pairs, by set name (`alpha158`, `alpha360`).
pub fn builtin(set: &str) -> Option<Vec<(String, String)>> {
    match set.to_ascii_lowercase().as_str() {
        "alpha158" => Some(alpha158()),
        "alpha360" => Some(alpha360()),
        _ => None,
    }
}

/// The built-in set names.
pub const SETS: [&str; 2] = ["alpha158", "alpha360"];

/// A rolling feature's expression for a window length.
type Window<'a> = Box<dyn Fn(usize) -> String + 'a>;

/// Alpha158 in qlib's order.
pub fn alpha158() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = [
        ("KMID", "($close-$open)/$open"),
        ("KLEN", "($high-$low)/$open"),
        ("KMID2", "($close-$open)/($high-$low+1e-12)"),
        ("KUP", "($high-Greater($open, $close))/$open"),
        ("KUP2", "($high-Greater($open, $close))/($high-$low+1e-12)"),
        ("KLOW", "(Less($open, $close)-$low)/$open"),
        ("KLOW2", "(Less($open, $close)-$low)/($high-$low+1e-12)"),
        ("KSFT", "(2*$close-$high-$low)/$open"),
        ("KSFT2", "(2*$close-$high-$low)/($high-$low+1e-12)"),
        ("OPEN0", "$open/$close"),
        ("HIGH0", "$high/$close"),
        ("LOW0", "$low/$close"),
        ("VWAP0", "$vwap/$close"),
    ]
    .iter()
    .map(|(n, e)| (n.to_string(), e.to_string()))
    .collect();
    let up = "Greater($close-Ref($close, 1), 0)";
    let down = "Greater(Ref($close, 1)-$close, 0)";
    let moves = "Abs($close-Ref($close, 1))";
    let vup = "Greater($volume-Ref($volume, 1), 0)";
    let vdown = "Greater(Ref($volume, 1)-$volume, 0)";
    let vmoves = "Abs($volume-Ref($volume, 1))";
    let wv = "Abs($close/Ref($close, 1)-1)*$volume";
    let rolling: [(&str, Window); 29] = [
        ("ROC", Box::new(|d| format!("Ref($close, {d})/$close"))),
        ("MA", Box::new(|d| format!("Mean($close, {d})/$close"))),
        ("STD", Box::new(|d| format!("Std($close, {d})/$close"))),
        ("BETA", Box::new(|d| format!("Slope($close, {d})/$close"))),
        ("RSQR", Box::new(|d| format!("Rsquare($close, {d})"))),
        ("RESI", Box::new(|d| format!("Resi($close, {d})/$close"))),
        ("MAX", Box::new(|d| format!("Max($high, {d})/$close"))),
        ("MIN", Box::new(|d| format!("Min($low, {d})/$close"))),
        ("QTLU", Box::new(|d| format!("Quantile($close, {d}, 0.8)/$close"))),
        ("QTLD", Box::new(|d| format!("Quantile($close, {d}, 0.2)/$close"))),
        ("RANK", Box::new(|d| format!("Rank($close, {d})"))),
        ("RSV", Box::new(|d| format!("($close-Min($low, {d}))/(Max($high, {d})-Min($low, {d})+1e-12)"))),
        ("IMAX", Box::new(|d| format!("IdxMax($high, {d})/{d}"))),
        ("IMIN", Box::new(|d| format!("IdxMin($low, {d})/{d}"))),
        ("IMXD", Box::new(|d| format!("(IdxMax($high, {d})-IdxMin($low, {d}))/{d}"))),
        ("CORR", Box::new(|d| format!("Corr($close, Log($volume+1), {d})"))),
        ("CORD", Box::new(|d| format!("Corr($close/Ref($close,1), Log($volume/Ref($volume, 1)+1), {d})"))),
        ("CNTP", Box::new(|d| format!("Mean($close>Ref($close, 1), {d})"))),
        ("CNTN", Box::new(|d| format!("Mean($close<Ref($close, 1), {d})"))),
        ("CNTD", Box::new(|d| format!("Mean($close>Ref($close, 1), {d})-Mean($close<Ref($close, 1), {d})"))),
        ("SUMP", Box::new(move |d| format!("Sum({up}, {d})/(Sum({moves}, {d})+1e-12)"))),
        ("SUMN", Box::new(move |d| format!("Sum({down}, {d})/(Sum({moves}, {d})+1e-12)"))),
        ("SUMD", Box::new(move |d| format!("(Sum({up}, {d})-Sum({down}, {d}))/(Sum({moves}, {d})+1e-12)"))),
        ("VMA", Box::new(|d| format!("Mean($volume, {d})/($volume+1e-12)"))),
        ("VSTD", Box::new(|d| format!("Std($volume, {d})/($volume+1e-12)"))),
        ("WVMA", Box::new(move |d| format!("Std({wv}, {d})/(Mean({wv}, {d})+1e-12)"))),
        ("VSUMP", Box::new(move |d| format!("Sum({vup}, {d})/(Sum({vmoves}, {d})+1e-12)"))),
        ("VSUMN", Box::new(move |d| format!("Sum({vdown}, {d})/(Sum({vmoves}, {d})+1e-12)"))),
        ("VSUMD", Box::new(move |d| format!("(Sum({vup}, {d})-Sum({vdown}, {d}))/(Sum({vmoves}, {d})+1e-12)"))),
    ];
    for (name, expr) in &rolling {
        for d in [5, 10, 20, 30, 60] {
            out.push((format!("{name}{d}"), expr(d)));
        }
    }
    out
}

/// Alpha360 in qlib's order: for each of close, open, high, low, vwap, volume, the values
/// 59 days ago … today, prices over today's close, volume over today's volume.
pub fn alpha360() -> Vec<(String, String)> {
    let mut out = vec![];
    for (name, field) in [("CLOSE", "$close"), ("OPEN", "$open"), ("HIGH", "$high"), ("LOW", "$low"), ("VWAP", "$vwap")] {
        for i in (1..60).rev() {
            out.push((format!("{name}{i}"), format!("Ref({field}, {i})/$close")));
        }
        out.push((format!("{name}0"), format!("{field}/$close")));
    }
    for i in (1..60).rev() {
        out.push((format!("VOLUME{i}"), format!("Ref($volume, {i})/($volume+1e-12)")));
    }
    out.push(("VOLUME0".into(), "$volume/($volume+1e-12)".into()));
    out
}
