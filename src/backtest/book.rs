//! The account of one portfolio: cash and shares, and the two orders it knows (sell a
//! whole position, buy whole lots with a budget), each checked against the A-share rules
//! before it fills at the day's raw close. Units: CNY and shares.

use crate::backtest::costs::{CostModel, TradeCost};
use crate::backtest::rules::{Market, flag};

/// Buy or sell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Buy => "buy",
            Side::Sell => "sell",
        }
    }
}

/// Why an order could not fill that day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// Buy at a close at the upper price limit.
    LimitUp,
    /// Sell at a close at the lower price limit.
    LimitDown,
    /// Suspended, not yet listed, or delisted that day.
    Suspended,
    /// Sell of shares bought the same day (T+1).
    TPlusOne,
    /// Buy whose budget or the cash left does not pay for one lot plus commission.
    Cash,
}

impl Rule {
    pub const ALL: [Rule; 5] = [Rule::LimitUp, Rule::LimitDown, Rule::Suspended, Rule::TPlusOne, Rule::Cash];

    /// Column name in the outputs.
    pub fn name(self) -> &'static str {
        match self {
            Rule::LimitUp => "limit_up",
            Rule::LimitDown => "limit_down",
            Rule::Suspended => "suspended",
            Rule::TPlusOne => "t_plus_one",
            Rule::Cash => "cash",
        }
    }
}

/// One filled trade.
#[derive(Clone, Debug, PartialEq)]
pub struct Trade {
    /// Panel date index.
    pub day: usize,
    /// Panel stock index.
    pub stock: usize,
    pub side: Side,
    pub shares: f64,
    /// Raw close, CNY.
    pub price: f64,
    pub cost: TradeCost,
}

impl Trade {
    /// Traded value, CNY (before costs).
    pub fn value(&self) -> f64 {
        self.shares * self.price
    }
}

/// Cash, positions and the day each position was last bought.
#[derive(Clone, Debug)]
pub struct Book {
    /// CNY.
    pub cash: f64,
    /// Shares per stock (fractional only after bonus shares or reinvested dividends).
    pub shares: Vec<f64>,
    /// Last known raw close per stock, CNY (a delisted stock keeps its last price).
    pub price: Vec<f64>,
    /// Panel date index of each stock's last buy (`usize::MAX` if never).
    pub bought_on: Vec<usize>,
    /// Stocks with shares, in the order they were bought.
    pub held: Vec<usize>,
}

impl Book {
    pub fn new(cash: f64, n_stocks: usize) -> Book {
        Book {
            cash,
            shares: vec![0.0; n_stocks],
            price: vec![f64::NAN; n_stocks],
            bought_on: vec![usize::MAX; n_stocks],
            held: Vec::new(),
        }
    }

    /// Starts day `d`: positions follow corporate actions (`adj_step`) and prices move to
    /// the day's close where the stock has one.
    pub fn mark(&mut self, m: &Market, d: usize) {
        let ns = m.n_stocks();
        for &s in &self.held {
            let i = d * ns + s;
            if m.close[i].is_finite() {
                self.shares[s] *= m.adj_step[i];
                self.price[s] = m.close[i];
            }
        }
    }

    /// Market value of the positions, CNY.
    pub fn holdings_value(&self) -> f64 {
        self.held.iter().map(|&s| self.shares[s] * self.price[s]).sum()
    }

    /// Cash plus holdings at the last prices, CNY.
    pub fn equity(&self) -> f64 {
        self.cash + self.holdings_value()
    }

    /// Sells the whole position in `s` at day `d`'s close.
    pub fn sell_all(&mut self, m: &Market, costs: &CostModel, d: usize, s: usize) -> Result<Trade, Rule> {
        let f = m.flags(d, s);
        if f & flag::PRICED == 0 || f & flag::SUSPENDED != 0 {
            return Err(Rule::Suspended);
        }
        if self.bought_on[s] == d {
            return Err(Rule::TPlusOne);
        }
        if f & flag::LIMIT_DOWN != 0 {
            return Err(Rule::LimitDown);
        }
        let (shares, price) = (self.shares[s], m.close(d, s));
        let cost = costs.sell(shares * price, m.dates[d]);
        self.cash += shares * price - cost.total();
        self.shares[s] = 0.0;
        self.held.retain(|&h| h != s);
        Ok(Trade { day: d, stock: s, side: Side::Sell, shares, price, cost })
    }

    /// Closes the position in `s` on day `d` at its last known price (with the usual sell
    /// costs): for a stock whose data has ended, which no rule can trade any more.
    pub fn close_at_last_price(&mut self, m: &Market, costs: &CostModel, d: usize, s: usize) -> Trade {
        let (shares, price) = (self.shares[s], self.price[s]);
        let cost = costs.sell(shares * price, m.dates[d]);
        self.cash += shares * price - cost.total();
        self.shares[s] = 0.0;
        self.held.retain(|&h| h != s);
        Trade { day: d, stock: s, side: Side::Sell, shares, price, cost }
    }

    /// Buys as many whole lots of `s` at day `d`'s close as `budget` (CNY, costs included)
    /// and the cash allow.
    pub fn buy(&mut self, m: &Market, costs: &CostModel, d: usize, s: usize, budget: f64, lot: f64) -> Result<Trade, Rule> {
        let f = m.flags(d, s);
        if f & flag::PRICED == 0 || f & flag::SUSPENDED != 0 {
            return Err(Rule::Suspended);
        }
        if f & flag::LIMIT_UP != 0 {
            return Err(Rule::LimitUp);
        }
        let price = m.close(d, s);
        let avail = budget.min(self.cash);
        if price.is_nan() || avail.is_nan() || price <= 0.0 || avail <= 0.0 {
            return Err(Rule::Cash);
        }
        let mut lots = (avail / (price * lot * (1.0 + costs.commission_rate))).floor();
        while lots > 0.0 && lots * lot * price + costs.buy(lots * lot * price).total() > avail {
            lots -= 1.0;
        }
        if lots < 1.0 {
            return Err(Rule::Cash);
        }
        let shares = lots * lot;
        let cost = costs.buy(shares * price);
        self.cash -= shares * price + cost.total();
        if self.shares[s] == 0.0 {
            self.held.push(s);
        }
        self.shares[s] += shares;
        self.price[s] = price;
        self.bought_on[s] = d;
        Ok(Trade { day: d, stock: s, side: Side::Buy, shares, price, cost })
    }
}
