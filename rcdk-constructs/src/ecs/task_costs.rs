//! What a Fargate service's tasks cost a month: the tasks it keeps running, split between
//! `FARGATE` (counted at the on-demand price) and `FARGATE_SPOT` (named, not counted) the way
//! the capacity provider strategy places them.

use rcdk_core::image::Arch;
use rcdk_core::CostItem;

use super::cluster::StrategyItem;
use super::size::FargateSize;
use crate::pricing;

/// How many of `tasks` the strategy places on `FARGATE` and on `FARGATE_SPOT`: each provider's
/// base first, in order, then the rest by weight. Rounding gives the odd task to on-demand, so
/// the counted part is never below what runs on demand.
pub(crate) fn split_tasks(strategy: &[StrategyItem], tasks: u32) -> (u32, u32) {
    let (mut on_demand, mut spot) = (0, 0);
    let mut left = tasks;
    for item in strategy {
        let base = u32::from(item.base).min(left);
        if item.spot {
            spot += base;
        } else {
            on_demand += base;
        }
        left -= base;
    }
    let weight = |spot: bool| -> u32 {
        strategy
            .iter()
            .filter(|i| i.spot == spot)
            .map(|i| u32::from(i.weight))
            .sum()
    };
    let total = weight(false) + weight(true);
    let spot_share = if total == 0 {
        0
    } else {
        // u64: tasks and weights are u16-sized, their product fits.
        (u64::from(left) * u64::from(weight(true)) / u64::from(total)) as u32
    };
    (on_demand + left - spot_share, spot + spot_share)
}

/// The cost lines of `tasks` tasks of `size` on `arch` under `strategy`.
pub(crate) fn fargate_costs(
    size: FargateSize,
    arch: Arch,
    strategy: &[StrategyItem],
    tasks: u32,
) -> Vec<CostItem> {
    let (on_demand, spot) = split_tasks(strategy, tasks);
    let mut costs = vec![pricing::fargate_tasks(
        size.cpu(),
        size.memory(),
        arch,
        on_demand,
    )];
    if spot > 0 {
        costs.push(pricing::fargate_spot_tasks(
            size.cpu(),
            size.memory(),
            arch,
            spot,
        ));
    }
    costs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(spot: bool, weight: u16, base: u16) -> StrategyItem {
        StrategyItem { spot, weight, base }
    }

    #[test]
    fn all_on_demand_by_default() {
        assert_eq!(split_tasks(&[item(false, 1, 0)], 3), (3, 0));
    }

    #[test]
    fn base_first_then_weights() {
        // 2 on demand as base, the other 4 split 1:3.
        let strategy = [item(false, 1, 2), item(true, 3, 0)];
        assert_eq!(split_tasks(&strategy, 6), (3, 3));
        // Fewer tasks than the base: all on demand.
        assert_eq!(split_tasks(&strategy, 1), (1, 0));
        // 1 left over at 1:1: on demand gets the odd one.
        assert_eq!(
            split_tasks(&[item(false, 1, 0), item(true, 1, 0)], 1),
            (1, 0)
        );
    }

    #[test]
    fn spot_tasks_are_named_not_counted() {
        let strategy = [item(false, 1, 1), item(true, 1, 0)];
        let costs = fargate_costs(FargateSize::new::<512, 1024>(), Arch::X86_64, &strategy, 3);
        assert_eq!(costs[0].count, 2);
        assert_eq!(costs[0].usd_per_month(), Some(2.0 * 18.02));
        assert_eq!(costs[1].count, 1);
        assert_eq!(costs[1].usd_per_month(), None);
    }
}
