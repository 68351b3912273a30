//! Attribution models: how an order's revenue is credited to the touchpoints before it.
//!
//! Every model gives each touchpoint a weight; an order's amount (an integer in the currency's
//! minor unit) is split in proportion, rounded down, and the units left over go one each to the
//! touchpoints with the largest remainders (earliest first on a tie), so the credited parts are
//! integers that add up to the amount exactly: no cent is made or lost. Weights are integers,
//! so the split is exact arithmetic too; time decay's real-valued weights are scaled to
//! integers (parts per 2^40 of the largest) first.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::store::Millis;

/// The models, as `attribution_report` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    /// All credit to the first touchpoint.
    FirstTouch,
    /// All credit to the last touchpoint.
    LastTouch,
    /// All credit to the last touchpoint that is not Direct; to the last one when all are.
    LastNonDirect,
    /// Equal credit to every touchpoint.
    Linear,
    /// Credit halving with every half-life between the touchpoint and the order.
    TimeDecay,
    /// 40 % to the first and 40 % to the last, 20 % shared by those between; one touchpoint
    /// gets all, two get half each.
    PositionBased,
}

impl Model {
    pub const ALL: [Model; 6] = [
        Model::FirstTouch,
        Model::LastTouch,
        Model::LastNonDirect,
        Model::Linear,
        Model::TimeDecay,
        Model::PositionBased,
    ];
}

/// What a model needs to know of a touchpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Touch {
    pub at: Millis,
    pub direct: bool,
}

/// Time decay's weights are scaled so the largest is this many units.
const DECAY_SCALE: f64 = (1u64 << 40) as f64;

/// Each touchpoint's weight under `model`, for an order at `converted_at`; `touches` are in
/// time order and not empty.
pub fn weights(
    model: Model,
    touches: &[Touch],
    converted_at: Millis,
    half_life: Millis,
) -> Vec<u64> {
    let n = touches.len();
    let only = |i: usize| (0..n).map(|j| u64::from(j == i)).collect();
    match model {
        Model::FirstTouch => only(0),
        Model::LastTouch => only(n - 1),
        Model::LastNonDirect => only(touches.iter().rposition(|t| !t.direct).unwrap_or(n - 1)),
        Model::Linear => vec![1; n],
        Model::PositionBased => match n {
            1 => vec![1],
            2 => vec![1, 1],
            // 40 / 20 / 40 with the middle 20 shared: in units of 1 / (5 (n - 2)), the ends get
            // 2 (n - 2) each and every middle touchpoint 1.
            _ => (0..n)
                .map(|i| {
                    if i == 0 || i == n - 1 {
                        2 * (n as u64 - 2)
                    } else {
                        1
                    }
                })
                .collect(),
        },
        Model::TimeDecay => {
            let half_life = half_life.max(1) as f64;
            let raw: Vec<f64> = touches
                .iter()
                .map(|t| {
                    let age = (converted_at - t.at).max(0) as f64;
                    (-age / half_life * std::f64::consts::LN_2).exp()
                })
                .collect();
            let top = raw.iter().cloned().fold(0.0, f64::max);
            raw.iter()
                .map(|w| ((w / top) * DECAY_SCALE).round().max(1.0) as u64)
                .collect()
        }
    }
}

/// Splits `amount` in proportion to `weights` into integers that sum to it exactly (largest
/// remainder; earliest first on a tie). A negative amount (a net refund) splits the same way.
pub fn split(amount: i64, weights: &[u64]) -> Vec<i64> {
    let total: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if total == 0 {
        let mut parts = vec![0; weights.len()];
        parts[0] = amount;
        return parts;
    }
    let magnitude = u128::from(amount.unsigned_abs());
    let mut parts: Vec<u128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = magnitude * u128::from(*w);
        parts.push(exact / total);
        remainders.push((exact % total, i));
    }
    let mut left = magnitude - parts.iter().sum::<u128>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    let sign = if amount < 0 { -1 } else { 1 };
    parts.into_iter().map(|p| sign * p as i64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Millis = 86_400_000;

    fn touches(days_before: &[i64], direct: &[bool]) -> Vec<Touch> {
        days_before
            .iter()
            .zip(direct)
            .map(|(d, direct)| Touch {
                at: 100 * DAY - d * DAY,
                direct: *direct,
            })
            .collect()
    }

    fn credit(model: Model, amount: i64, t: &[Touch]) -> Vec<i64> {
        split(amount, &weights(model, t, 100 * DAY, 7 * DAY))
    }

    #[test]
    fn one_touch_gets_everything_under_every_model() {
        let t = touches(&[3], &[false]);
        for model in Model::ALL {
            assert_eq!(credit(model, 12_345, &t), [12_345], "{model:?}");
        }
    }

    #[test]
    fn two_touches_by_hand() {
        let t = touches(&[14, 0], &[false, true]);
        assert_eq!(credit(Model::FirstTouch, 1000, &t), [1000, 0]);
        assert_eq!(credit(Model::LastTouch, 1000, &t), [0, 1000]);
        assert_eq!(
            credit(Model::LastNonDirect, 1000, &t),
            [1000, 0],
            "the last is Direct"
        );
        assert_eq!(
            credit(Model::Linear, 1001, &t),
            [501, 500],
            "the odd cent to the earliest"
        );
        assert_eq!(credit(Model::PositionBased, 1000, &t), [500, 500]);
        // 14 days is two half-lives: weights 1/4 and 1, so 1000 * 1/5 and 1000 * 4/5.
        assert_eq!(credit(Model::TimeDecay, 1000, &t), [200, 800]);
    }

    #[test]
    fn five_touches_by_hand() {
        let t = touches(&[28, 21, 14, 7, 0], &[true, false, false, false, true]);
        // Linear: 10000 / 5.
        assert_eq!(credit(Model::Linear, 10_000, &t), [2000; 5]);
        // Position based: 40 % first, 40 % last, 20 % over three = 666.67 each.
        assert_eq!(
            credit(Model::PositionBased, 10_000, &t),
            [4000, 667, 667, 666, 4000]
        );
        assert_eq!(
            credit(Model::LastNonDirect, 10_000, &t),
            [0, 0, 0, 10_000, 0]
        );
        // Time decay, half-life 7 days: weights 1/16, 1/8, 1/4, 1/2, 1 (sum 31/16):
        // 10000 * (1, 2, 4, 8, 16) / 31 = 322.58, 645.16, 1290.32, 2580.65, 5161.29.
        assert_eq!(
            credit(Model::TimeDecay, 10_000, &t),
            [323, 645, 1290, 2581, 5161]
        );
    }

    #[test]
    fn ties_in_time_keep_their_order_and_amounts_always_add_up() {
        let t = touches(&[2, 2, 2], &[false, false, false]);
        assert_eq!(credit(Model::Linear, 100, &t), [34, 33, 33]);
        assert_eq!(credit(Model::FirstTouch, 100, &t), [100, 0, 0]);
        for amount in [0, 1, 2, 7, 99, 1_000_003, -5_000, i64::MAX / 4] {
            for model in Model::ALL {
                let t = touches(&[9, 5, 3, 1, 0], &[false, true, false, true, false]);
                let parts = credit(model, amount, &t);
                assert_eq!(parts.iter().sum::<i64>(), amount, "{model:?} {amount}");
            }
        }
    }

    #[test]
    fn a_refund_splits_like_the_order() {
        let t = touches(&[14, 0], &[false, false]);
        assert_eq!(credit(Model::TimeDecay, -1000, &t), [-200, -800]);
    }
}
