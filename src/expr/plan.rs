//! Evaluation plans: a set of expressions compiled into one graph whose equal
//! subexpressions are shared (Alpha158's 158 features have far fewer distinct parts), then
//! evaluated stock by stock on `[date]` series (the output forms: [`super::matrices`],
//! [`super::members`]).

use std::borrow::Cow;
use std::collections::HashMap;

use crate::expr::apply::{binary, call, r32};
use crate::expr::ast::{BinOp, Expr, Op, Shape};
use crate::expr::rolling::{Family, family, rolling_many};
use crate::expr::stock::{Sink, first_value};

/// One node of the graph; children come before their parents.
#[derive(Clone, Debug)]
enum Node {
    Num(f64),
    Field(usize),
    Neg(usize),
    Bin(BinOp, usize, usize),
    /// An operator over series nodes, with its window and quantile when it has them.
    Call(Op, Vec<usize>, Option<f64>, f64),
}

/// How qlib (numpy) would type a node's values: fields are float32 and element-wise
/// arithmetic on them stays float32; windows give float64; numbers and comparisons adopt
/// the other operand's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Weak,
    F32,
    F64,
}

fn join(a: Ty, b: Ty) -> Ty {
    match (a, b) {
        (Ty::F64, _) | (_, Ty::F64) => Ty::F64,
        (Ty::F32, _) | (_, Ty::F32) => Ty::F32,
        _ => Ty::Weak,
    }
}

/// Expressions compiled together.
pub struct Plan {
    nodes: Vec<Node>,
    tys: Vec<Ty>,
    /// Field names read, in slot order.
    pub fields: Vec<String>,
    /// The node of each expression, in input order.
    roots: Vec<usize>,
    /// Per node: the nodes whose values are no longer needed once it is computed.
    frees: Vec<Vec<usize>>,
    /// [`Plan::frees`] when each root is handed on as it is computed: roots freed too.
    sunk_frees: Vec<Vec<usize>>,
    /// Per node: the expressions (indices into `roots`) it is the value of.
    root_of: Vec<Vec<usize>>,
    /// Per node: when it is the first of window operators of one [`Family`] over the same
    /// series (say `Mean`, `Std`, `Slope` of `$close` over 5 to 60 days; an order
    /// statistic's window too), every member (itself first), computed in one pass when it
    /// is reached.
    together: Vec<Vec<usize>>,
    /// Days before a day that any expression's value on it reads (through every window
    /// under it); `None` when one reads the whole past (`EMA`, an expanding window) or the
    /// future (a negative `Ref`).
    pub reach: Option<usize>,
}

impl Plan {
    /// Compiles `exprs` (in order) into one graph.
    pub fn new(exprs: &[&Expr]) -> Plan {
        let mut b = Builder { nodes: vec![], tys: vec![], keys: HashMap::new(), fields: vec![] };
        let roots: Vec<usize> = exprs.iter().map(|e| b.add(e)).collect();
        let n = b.nodes.len();
        let mut last_use = vec![0; n];
        for (i, node) in b.nodes.iter().enumerate() {
            let kids: Vec<usize> = match node {
                Node::Num(_) | Node::Field(_) => vec![],
                Node::Neg(a) => vec![*a],
                Node::Bin(_, a, c) => vec![*a, *c],
                Node::Call(_, args, _, _) => args.clone(),
            };
            for k in kids {
                last_use[k] = i;
            }
        }
        let mut frees = vec![vec![]; n];
        let mut sunk_frees = vec![vec![]; n];
        for (k, &at) in last_use.iter().enumerate() {
            if at > k && !roots.contains(&k) {
                frees[at].push(k);
            }
            sunk_frees[at.max(k)].push(k);
        }
        let mut root_of = vec![vec![]; n];
        for (j, &r) in roots.iter().enumerate() {
            root_of[r].push(j);
        }
        let reach = reaches(&b.nodes);
        let reach = roots.iter().try_fold(0, |m, &r| reach[r].map(|x| x.max(m)));
        let together = families(&b.nodes);
        Plan { nodes: b.nodes, tys: b.tys, fields: b.fields, roots, frees, sunk_frees, root_of, together, reach }
    }

    /// Distinct nodes (after sharing).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Expressions compiled (one output each).
    pub fn n_outputs(&self) -> usize {
        self.roots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Window operators computed together: the groups of one family and series (and window,
    /// for order statistics).
    pub fn passes(&self) -> usize {
        self.together.iter().filter(|g| !g.is_empty()).count()
    }

    /// Every expression on one stock: `inputs[slot]` is field `slot`'s `[date]` series.
    /// The stock's history starts at the first day any field has a value (qlib's series
    /// start there: windows do not reach before it).
    pub fn eval_series(&self, inputs: &[&[f64]]) -> Vec<Vec<f64>> {
        self.eval_from(inputs, first_value(inputs))
    }

    /// [`Plan::eval_series`] on a stock whose history starts at `start` (windows do not
    /// reach before it; it may lie before the series given, which is then part of a history).
    pub(super) fn eval_from(&self, inputs: &[&[f64]], start: usize) -> Vec<Vec<f64>> {
        self.eval_with(inputs, start, None)
    }

    /// [`Plan::eval_from`], or with `sink`, each expression's values handed to it as they are
    /// computed (`sink(expression, values)`) and freed then (nothing is returned): the
    /// values in use stay few, and in cache.
    pub(super) fn eval_with(&self, inputs: &[&[f64]], start: usize, mut sink: Option<&mut Sink>) -> Vec<Vec<f64>> {
        let frees = if sink.is_some() { &self.sunk_frees } else { &self.frees };
        let len = inputs.first().map_or(0, |x| x.len());
        let start = start.min(len);
        let mut vals: Vec<Option<Vec<f64>>> = vec![None; self.nodes.len()];
        for (i, node) in self.nodes.iter().enumerate() {
            if let [_, _, ..] = self.together[i].as_slice()
                && let Node::Call(_, args, Some(_), _) = node
            {
                // A family's first member computes them all.
                let ops: Vec<(Op, f64, usize)> = self.together[i]
                    .iter()
                    .map(|&k| match &self.nodes[k] {
                        Node::Call(op, _, n, q) => (*op, *q, n.unwrap_or(0.0) as usize),
                        _ => unreachable!("families hold calls only"),
                    })
                    .collect();
                let xs: Vec<&[f64]> =
                    args.iter().map(|&k| vals[k].as_deref().expect("child evaluated before its parent")).collect();
                let outs = rolling_many(&ops, &xs, start);
                for (&k, v) in self.together[i].iter().zip(outs) {
                    vals[k] = Some(v);
                }
            }
            if vals[i].is_some() {
                if let Some(sink) = sink.as_mut() {
                    self.root_of[i].iter().for_each(|&j| sink(j, vals[i].as_deref().expect("just computed")));
                }
                for &k in &frees[i] {
                    vals[k] = None;
                }
                continue;
            }
            let f32 = self.tys[i] == Ty::F32;
            let get = |k: usize| vals[k].as_deref().expect("child evaluated before its parent");
            // A float32 node's operands as float32: its float32 children are (fields come
            // rounded, float32 nodes round their results), numbers and comparisons are
            // rounded here.
            let operand = |k: usize| -> Cow<[f64]> {
                if f32 && self.tys[k] != Ty::F32 { get(k).iter().map(|x| r32(*x)).collect() } else { get(k).into() }
            };
            let mut v = match node {
                Node::Num(x) => vec![*x; len],
                Node::Field(slot) => inputs[*slot].to_vec(),
                Node::Neg(a) => get(*a).iter().map(|x| -x).collect(),
                Node::Bin(op, a, c) => binary(*op, &operand(*a), &operand(*c), f32),
                Node::Call(op, args, n, q) => {
                    let series = matches!(op.shape(), Shape::Series(_));
                    let args: Vec<Cow<[f64]>> = args.iter().map(|&k| if series { operand(k) } else { get(k).into() }).collect();
                    call(*op, &args.iter().map(|a| a.as_ref()).collect::<Vec<_>>(), start, *n, *q)
                }
            };
            if f32 && !matches!(node, Node::Bin(..)) {
                v.iter_mut().for_each(|x| *x = r32(*x));
            }
            if let Some(sink) = sink.as_mut() {
                self.root_of[i].iter().for_each(|&j| sink(j, &v));
            }
            vals[i] = Some(v);
            for &k in &frees[i] {
                vals[k] = None;
            }
        }
        if sink.is_some() {
            return vec![];
        }
        // Roots are moved out (an expression given twice shares its root: that one is cloned).
        let mut out: Vec<Vec<f64>> = Vec::with_capacity(self.roots.len());
        for (i, &r) in self.roots.iter().enumerate() {
            let v = if self.roots[i + 1..].contains(&r) { vals[r].clone() } else { vals[r].take() };
            out.push(v.expect("root evaluated"));
        }
        out
    }
}

/// Per node, the members of its [`Family`] group when it is the group's first (a group of
/// one is left empty): calls of one family over the same series nodes, with windows of any
/// length (expanding ones apart) where the family allows it, else of one length.
fn families(nodes: &[Node]) -> Vec<Vec<usize>> {
    let mut first: HashMap<(Family, &[usize], u64), usize> = HashMap::new();
    let mut out = vec![vec![]; nodes.len()];
    for (i, node) in nodes.iter().enumerate() {
        if let Node::Call(op, args, Some(n), _) = node
            && let Some(f) = family(*op, *n)
        {
            let window = if f.any_length() { u64::from(*n == 0.0) } else { n.to_bits() };
            let lead = *first.entry((f, args.as_slice(), window)).or_insert(i);
            out[lead].push(i);
        }
    }
    for g in &mut out {
        if g.len() < 2 {
            g.clear();
        }
    }
    out
}

/// Per node, the days before a day its value there reads ([`Plan::reach`]).
fn reaches(nodes: &[Node]) -> Vec<Option<usize>> {
    let mut out: Vec<Option<usize>> = Vec::with_capacity(nodes.len());
    for node in nodes {
        let most = |kids: &[usize], out: &[Option<usize>]| kids.iter().try_fold(0, |m, &k| out[k].map(|x| x.max(m)));
        let r = match node {
            Node::Num(_) | Node::Field(_) => Some(0),
            Node::Neg(a) => out[*a],
            Node::Bin(_, a, c) => most(&[*a, *c], &out),
            Node::Call(_, args, None, _) => most(args, &out),
            Node::Call(op, args, Some(n), _) => {
                let (n, kids) = (*n, most(args, &out));
                match op {
                    _ if !n.is_finite() || n < 0.0 => None,
                    Op::Ema => None,
                    Op::Mean if n < 1.0 => None,
                    Op::Ref | Op::Delta => kids.map(|k| k + n as usize),
                    _ if n < 1.0 => None,
                    _ => kids.map(|k| k + n as usize - 1),
                }
            }
        };
        out.push(r);
    }
    out
}

struct Builder {
    nodes: Vec<Node>,
    tys: Vec<Ty>,
    keys: HashMap<String, usize>,
    fields: Vec<String>,
}

impl Builder {
    fn add(&mut self, e: &Expr) -> usize {
        let key = e.to_string();
        if let Some(&i) = self.keys.get(&key) {
            return i;
        }
        let node = match e {
            Expr::Num(x) => Node::Num(*x),
            Expr::Field(f) => {
                let slot = self.fields.iter().position(|g| g == f).unwrap_or_else(|| {
                    self.fields.push(f.clone());
                    self.fields.len() - 1
                });
                Node::Field(slot)
            }
            Expr::Neg(a) => Node::Neg(self.add(a)),
            Expr::Bin(op, a, b) => {
                let (a, b) = (self.add(a), self.add(b));
                Node::Bin(*op, a, b)
            }
            Expr::Call(op, args) => match op.shape() {
                // Elementwise operators take numbers as series (Power($x, 2)).
                Shape::Series(_) => Node::Call(*op, args.iter().map(|a| self.add(a)).collect(), None, f64::NAN),
                shape => {
                    let n_series = if shape == Shape::PairWindow { 2 } else { 1 };
                    let series = args[..n_series].iter().map(|a| self.add(a)).collect();
                    let num = |k: usize| match args.get(k) {
                        Some(Expr::Num(x)) => *x,
                        _ => f64::NAN,
                    };
                    Node::Call(*op, series, Some(num(n_series)), num(n_series + 1))
                }
            },
        };
        let ty = |k: &usize| self.tys[*k];
        let t = match &node {
            Node::Num(_) => Ty::Weak,
            Node::Field(_) => Ty::F32,
            Node::Neg(a) => ty(a),
            Node::Bin(op, a, b) => match op {
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => join(ty(a), ty(b)),
                _ => Ty::Weak,
            },
            Node::Call(op, args, _, _) => match op {
                Op::Sign => Ty::F32,
                Op::Ref | Op::Delta => ty(&args[0]),
                _ if matches!(op.shape(), Shape::Series(_)) => args.iter().map(ty).fold(Ty::Weak, join),
                _ => Ty::F64,
            },
        };
        self.tys.push(t);
        self.nodes.push(node);
        let i = self.nodes.len() - 1;
        self.keys.insert(key, i);
        i
    }
}
