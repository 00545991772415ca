//! Parsing qlib's feature expressions (`Mean($close, 5)/$close`) into [`Expr`], with
//! Python's operator precedence (qlib evaluates them as Python: `**` above unary `-` above
//! `* /`) and errors that point at the column. Window arguments are checked here: an
//! integer (or `0 < N < 1` for `EMA` and `Mean`),
//! negative only for `Ref` (the future, refused later outside labels).

use crate::expr::ast::{BinOp, Expr, OPS, Op, Shape};

/// A parse error at a 1-based character column.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    pub column: usize,
    pub message: String,
}

impl ParseError {
    /// `message` with the expression and a caret under the column.
    pub fn render(&self, src: &str) -> String {
        format!("{} at column {}\n  {src}\n  {}^", self.message, self.column, " ".repeat(self.column.saturating_sub(1)))
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Field(String),
    Ident(String),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
    End,
}

/// Parses one expression.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let toks = lex(src)?;
    let mut p = Parser { toks, i: 0 };
    let e = p.comparison()?;
    match p.peek() {
        Tok::End => Ok(e),
        t => Err(p.err(format!("unexpected {} after a complete expression", describe(t)))),
    }
}

fn err(column: usize, message: impl Into<String>) -> ParseError {
    ParseError { column, message: message.into() }
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, ParseError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let ident_end = |from: usize| {
            let mut j = from;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            j
        };
        if c == '$' {
            let j = ident_end(i + 1);
            if j == i + 1 || chars[i + 1].is_ascii_digit() {
                return Err(err(col, "`$` must be followed by a field name such as $close"));
            }
            out.push((Tok::Field(chars[i + 1..j].iter().collect()), col));
            i = j;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let j = ident_end(i);
            out.push((Tok::Ident(chars[i..j].iter().collect()), col));
            i = j;
        } else if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                j += 1;
            }
            if j < chars.len() && (chars[j] == 'e' || chars[j] == 'E') {
                let mut k = j + 1;
                if k < chars.len() && (chars[k] == '+' || chars[k] == '-') {
                    k += 1;
                }
                if k < chars.len() && chars[k].is_ascii_digit() {
                    j = k;
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        j += 1;
                    }
                }
            }
            let text: String = chars[i..j].iter().collect();
            let v: f64 = text.parse().map_err(|_| err(col, format!("`{text}` is not a number")))?;
            out.push((Tok::Num(v), col));
            i = j;
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let op2 = [">=", "<=", "==", "!=", "**"].into_iter().find(|o| *o == two);
            if let Some(o) = op2 {
                out.push((Tok::Op(o), col));
                i += 2;
                continue;
            }
            let tok = match c {
                '(' => Tok::LParen,
                ')' => Tok::RParen,
                ',' => Tok::Comma,
                '+' => Tok::Op("+"),
                '-' => Tok::Op("-"),
                '*' => Tok::Op("*"),
                '/' => Tok::Op("/"),
                '>' => Tok::Op(">"),
                '<' => Tok::Op("<"),
                '&' => Tok::Op("&"),
                '|' => Tok::Op("|"),
                _ => return Err(err(col, format!("unexpected character `{c}`"))),
            };
            out.push((tok, col));
            i += 1;
        }
    }
    out.push((Tok::End, chars.len() + 1));
    Ok(out)
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(v) => format!("number {v}"),
        Tok::Field(f) => format!("`${f}`"),
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Op(o) => format!("`{o}`"),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::Comma => "`,`".into(),
        Tok::End => "the end of the expression".into(),
    }
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    i: usize,
}

fn bin_op(o: &str) -> BinOp {
    match o {
        "+" => BinOp::Add,
        "-" => BinOp::Sub,
        "*" => BinOp::Mul,
        "/" => BinOp::Div,
        ">" => BinOp::Gt,
        ">=" => BinOp::Ge,
        "<" => BinOp::Lt,
        "<=" => BinOp::Le,
        "==" => BinOp::Eq,
        "!=" => BinOp::Ne,
        "&" => BinOp::And,
        _ => BinOp::Or,
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.i].0
    }

    fn col(&self) -> usize {
        self.toks[self.i].1
    }

    fn err(&self, message: impl Into<String>) -> ParseError {
        err(self.col(), message)
    }

    fn eat_op(&mut self, ops: &[&str]) -> Option<&'static str> {
        match self.peek() {
            Tok::Op(o) if ops.contains(o) => {
                let o = *o;
                self.i += 1;
                Some(o)
            }
            _ => None,
        }
    }

    fn comparison(&mut self) -> Result<Expr, ParseError> {
        const CMP: [&str; 6] = [">", ">=", "<", "<=", "==", "!="];
        let left = self.level(0)?;
        let Some(o) = self.eat_op(&CMP) else { return Ok(left) };
        let right = self.level(0)?;
        if matches!(self.peek(), Tok::Op(o) if CMP.contains(o)) {
            return Err(self.err("chained comparisons (`a < b < c`) are not supported: parenthesize each one"));
        }
        Ok(Expr::Bin(bin_op(o), Box::new(left), Box::new(right)))
    }

    /// Left-associative levels: `|`, `&`, `+ -`, `* /`, then unary.
    fn level(&mut self, lvl: usize) -> Result<Expr, ParseError> {
        const LEVELS: [&[&str]; 4] = [&["|"], &["&"], &["+", "-"], &["*", "/"]];
        if lvl == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.level(lvl + 1)?;
        while let Some(o) = self.eat_op(LEVELS[lvl]) {
            let right = self.level(lvl + 1)?;
            left = Expr::Bin(bin_op(o), Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        match self.eat_op(&["-", "+"]) {
            Some("-") => Ok(match self.unary()? {
                Expr::Num(v) => Expr::Num(-v),
                e => Expr::Neg(Box::new(e)),
            }),
            Some(_) => self.unary(),
            None => self.power(),
        }
    }

    /// `a ** b` (Python's power: binds tighter than a unary minus on its left, right to left).
    fn power(&mut self) -> Result<Expr, ParseError> {
        let base = self.primary()?;
        if self.eat_op(&["**"]).is_none() {
            return Ok(base);
        }
        let exp = self.unary()?;
        Ok(Expr::Call(Op::Power, vec![base, exp]))
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let col = self.col();
        let tok = self.peek().clone();
        self.i += 1;
        match tok {
            Tok::Num(v) => Ok(Expr::Num(v)),
            Tok::Field(f) => Ok(Expr::Field(f)),
            Tok::LParen => {
                let e = self.comparison()?;
                if *self.peek() != Tok::RParen {
                    return Err(self.err(format!("expected `)` to close the `(` at column {col}")));
                }
                self.i += 1;
                Ok(e)
            }
            Tok::Ident(name) => self.call(&name, col),
            t => {
                Err(err(col, format!("expected a number, a $field, an operator such as Mean(…) or `(`, found {}", describe(&t))))
            }
        }
    }

    fn call(&mut self, name: &str, col: usize) -> Result<Expr, ParseError> {
        let Some((op, shape)) = Op::lookup(name) else {
            let known = match OPS.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(name)) {
                Some((n, _, _)) => format!("did you mean {n}?"),
                None => {
                    format!("fields are written $name; operators: {}", OPS.iter().map(|o| o.0).collect::<Vec<_>>().join(", "))
                }
            };
            return Err(err(col, format!("unknown operator `{name}` ({known})")));
        };
        if *self.peek() != Tok::LParen {
            return Err(self.err(format!("expected `(` after {name}")));
        }
        self.i += 1;
        let mut args = vec![];
        let mut cols = vec![];
        if *self.peek() != Tok::RParen {
            loop {
                cols.push(self.col());
                args.push(self.comparison()?);
                match self.peek() {
                    Tok::Comma => self.i += 1,
                    Tok::RParen => break,
                    t => return Err(self.err(format!("expected `,` or `)` in {name}(…), found {}", describe(t)))),
                }
            }
        }
        let close = self.col();
        self.i += 1;
        let (n_series, n_nums) = match shape {
            Shape::Series(n) => (n, 0),
            Shape::Window => (1, 1),
            Shape::WindowQ => (1, 2),
            Shape::PairWindow => (2, 1),
        };
        let usage = match shape {
            Shape::Series(1) => format!("{name}(x)"),
            Shape::Series(2) => format!("{name}(x, y)"),
            Shape::Series(_) => format!("{name}(cond, x, y)"),
            Shape::Window => format!("{name}(x, N)"),
            Shape::WindowQ => format!("{name}(x, N, q)"),
            Shape::PairWindow => format!("{name}(x, y, N)"),
        };
        if args.len() != n_series + n_nums {
            return Err(err(close, format!("{name} takes {} arguments, {usage}; found {}", n_series + n_nums, args.len())));
        }
        for (k, a) in args.iter().enumerate().skip(n_series) {
            let Expr::Num(v) = a else {
                return Err(err(cols[k], format!("argument {} of {usage} must be a number", k + 1)));
            };
            if k == n_series {
                check_window(op, *v).map_err(|m| err(cols[k], m))?;
            } else if !(0.0..=1.0).contains(v) {
                return Err(err(cols[k], format!("the quantile of {usage} must be in [0, 1], found {v}")));
            }
        }
        Ok(Expr::Call(op, args))
    }
}

/// The window `N` of `op`: an integer ≥ 0 (0 = every day so far), negative only for `Ref`,
/// `0 < N < 1` (a smoothing factor) only for `EMA` and `Mean` (qlib's exponential mean).
fn check_window(op: Op, n: f64) -> Result<(), String> {
    let name = op.name();
    if !n.is_finite() {
        return Err(format!("the window of {name} must be a finite number"));
    }
    if n > 0.0 && n < 1.0 {
        return match op {
            Op::Ema | Op::Mean => Ok(()),
            _ => Err(format!(
                "{name}'s window must be a whole number of days, found {n} (a smoothing factor 0 < N < 1 is for EMA and Mean)"
            )),
        };
    }
    if n.fract() != 0.0 {
        return Err(format!("{name}'s window must be a whole number of days, found {n}"));
    }
    if n < 0.0 && op != Op::Ref {
        return Err(format!("{name}'s window must be ≥ 0, found {n} (only Ref takes a negative shift)"));
    }
    if n == 0.0 && op == Op::Ema {
        return Err("EMA(x, 0) (qlib's expanding form with a length-dependent weight) is not supported: give a span".into());
    }
    if n == 0.0 && matches!(op, Op::Ref | Op::Delta) {
        return Err(format!(
            "{name}(x, 0) means \"against the first loaded day\" in qlib, which depends on the load range: not supported"
        ));
    }
    if !(-100_000.0..=100_000.0).contains(&n) {
        return Err(format!("{name}'s window {n} is longer than any calendar"));
    }
    Ok(())
}
