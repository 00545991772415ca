//! The expression tree of qlib's feature language and the operator table: each operator's
//! name, argument kinds and whether it is a rolling window over time.

use std::fmt;

/// A parsed expression. Positions are 1-based character columns of the source text.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A number literal.
    Num(f64),
    /// `$name`: a daily field (qlib's price fields are adjusted prices).
    Field(String),
    /// `-x`.
    Neg(Box<Expr>),
    /// `a op b` for the infix operators.
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// `Name(args…)` for the operators of [`OPS`].
    Call(Op, Vec<Expr>),
}

/// Infix operators, by Python's precedence (qlib evaluates its expressions as Python):
/// comparisons bind loosest, then `|`, `&`, `+ -`, `* /` (and `**`, parsed as `Power`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
    And,
    Or,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "&",
            BinOp::Or => "|",
        }
    }
}

/// qlib's named operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    // One series.
    Abs,
    Sign,
    Log,
    // Two series.
    Power,
    Greater,
    Less,
    // Three series.
    If,
    // One series and a window `N` (rolling over the last N days, N = 0: all days so far).
    Ref,
    Mean,
    Sum,
    Std,
    Var,
    Skew,
    Kurt,
    Max,
    Min,
    IdxMax,
    IdxMin,
    Med,
    Mad,
    Rank,
    Count,
    Delta,
    Slope,
    Rsquare,
    Resi,
    Wma,
    Ema,
    // One series, a window and a quantile.
    Quantile,
    // Two series and a window.
    Corr,
    Cov,
}

/// What an operator takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `n` series.
    Series(usize),
    /// A series and a window.
    Window,
    /// A series, a window and a number in [0, 1].
    WindowQ,
    /// Two series and a window.
    PairWindow,
}

/// Operator names as written, their enum and argument shape.
pub const OPS: &[(&str, Op, Shape)] = &[
    ("Abs", Op::Abs, Shape::Series(1)),
    ("Sign", Op::Sign, Shape::Series(1)),
    ("Log", Op::Log, Shape::Series(1)),
    ("Power", Op::Power, Shape::Series(2)),
    ("Greater", Op::Greater, Shape::Series(2)),
    ("Less", Op::Less, Shape::Series(2)),
    ("If", Op::If, Shape::Series(3)),
    ("Ref", Op::Ref, Shape::Window),
    ("Mean", Op::Mean, Shape::Window),
    ("Sum", Op::Sum, Shape::Window),
    ("Std", Op::Std, Shape::Window),
    ("Var", Op::Var, Shape::Window),
    ("Skew", Op::Skew, Shape::Window),
    ("Kurt", Op::Kurt, Shape::Window),
    ("Max", Op::Max, Shape::Window),
    ("Min", Op::Min, Shape::Window),
    ("IdxMax", Op::IdxMax, Shape::Window),
    ("IdxMin", Op::IdxMin, Shape::Window),
    ("Med", Op::Med, Shape::Window),
    ("Mad", Op::Mad, Shape::Window),
    ("Rank", Op::Rank, Shape::Window),
    ("Count", Op::Count, Shape::Window),
    ("Delta", Op::Delta, Shape::Window),
    ("Slope", Op::Slope, Shape::Window),
    ("Rsquare", Op::Rsquare, Shape::Window),
    ("Resi", Op::Resi, Shape::Window),
    ("WMA", Op::Wma, Shape::Window),
    ("EMA", Op::Ema, Shape::Window),
    ("Quantile", Op::Quantile, Shape::WindowQ),
    ("Corr", Op::Corr, Shape::PairWindow),
    ("Cov", Op::Cov, Shape::PairWindow),
];

impl Op {
    pub fn name(self) -> &'static str {
        OPS.iter().find(|(_, o, _)| *o == self).map(|(n, _, _)| *n).unwrap_or("?")
    }

    pub fn shape(self) -> Shape {
        OPS.iter().find(|(_, o, _)| *o == self).map(|(_, _, s)| *s).unwrap_or(Shape::Series(1))
    }

    pub fn lookup(name: &str) -> Option<(Op, Shape)> {
        OPS.iter().find(|(n, _, _)| *n == name).map(|(_, o, s)| (*o, *s))
    }
}

impl Expr {
    /// Every `$field` the expression reads.
    pub fn fields(&self, out: &mut Vec<String>) {
        match self {
            Expr::Num(_) => {}
            Expr::Field(f) => {
                if !out.contains(f) {
                    out.push(f.clone())
                }
            }
            Expr::Neg(a) => a.fields(out),
            Expr::Bin(_, a, b) => {
                a.fields(out);
                b.fields(out);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.fields(out)),
        }
    }

    /// The most trading days ahead of the row the expression reads (`Ref(x, -2)` reads 2):
    /// 0 for a feature known at the row's close.
    pub fn lookahead(&self) -> usize {
        match self {
            Expr::Num(_) | Expr::Field(_) => 0,
            Expr::Neg(a) => a.lookahead(),
            Expr::Bin(_, a, b) => a.lookahead().max(b.lookahead()),
            Expr::Call(op, args) => {
                let inner = args.iter().map(|a| a.lookahead()).max().unwrap_or(0);
                match (op, args.get(1)) {
                    (Op::Ref, Some(Expr::Num(n))) if *n < 0.0 => inner + (-*n) as usize,
                    _ => inner,
                }
            }
        }
    }
}

/// Prints the expression in canonical form (fully parenthesized infix, qlib's names), the
/// key under which equal subexpressions are shared.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Num(x) => write!(f, "{x:?}"),
            Expr::Field(name) => write!(f, "${name}"),
            Expr::Neg(a) => write!(f, "(-{a})"),
            Expr::Bin(op, a, b) => write!(f, "({a}{}{b})", op.symbol()),
            Expr::Call(op, args) => {
                write!(f, "{}(", op.name())?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        write!(f, ",")?;
                    }
                    write!(f, "{a}")?;
                }
                write!(f, ")")
            }
        }
    }
}
