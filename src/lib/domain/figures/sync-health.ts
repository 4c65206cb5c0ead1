import { addDays, todayIso } from '../dates';
import type { FiguresDoc } from './figures-schema';
import { daysSince, lastActivity } from './progress';

// Sync health of a superior's subtree, from the figures it holds (counts and device states the
// figures worker copied there): which units have gone quiet, which devices were revoked or wiped,
// and how many refused changes wait on devices. Nothing here names a member.

export interface QuietUnit {
	unitId: string;
	name: string;
	/** Days since its last write or sync; null: never. */
	days: number | null;
}

export interface ClosedDevice {
	unitId: string;
	unitName: string;
	deviceId: string;
	login: string;
	state: 'revoked' | 'wiped';
}

export interface RefusedWaiting {
	unitId: string;
	unitName: string;
	refused: number;
}

export interface SyncHealth {
	quietUnits: QuietUnit[];
	closedDevices: ClosedDevice[];
	refused: RefusedWaiting[];
	refusedTotal: number;
}

/** The health of `units` (the subtree's figures, the holder's own excluded by the caller). */
export function syncHealth(options: {
	units: readonly FiguresDoc[];
	today: string;
	staleDays: number;
}): SyncHealth {
	const staleFrom = addDays({ date: options.today, days: -options.staleDays });
	const health: SyncHealth = { quietUnits: [], closedDevices: [], refused: [], refusedTotal: 0 };
	for (const figures of options.units) {
		const unitId = figures.of.id;
		const unitName = figures.of.name;
		const activity = lastActivity(figures);
		if (activity === null || todayIso(new Date(activity)) < staleFrom) {
			health.quietUnits.push({
				unitId,
				name: unitName,
				days: activity === null ? null : daysSince({ instant: activity, today: options.today })
			});
		}
		let refused = 0;
		for (const device of figures.activity.devices) {
			if (device.state !== 'active') {
				health.closedDevices.push({
					unitId,
					unitName,
					deviceId: device.id,
					login: device.login,
					state: device.state
				});
			} else refused += device.refused ?? 0;
		}
		if (refused > 0) {
			health.refused.push({ unitId, unitName, refused });
			health.refusedTotal += refused;
		}
	}
	// The longest silence first ("never" first of all), then by name.
	health.quietUnits.sort(
		(a, b) => (b.days ?? Infinity) - (a.days ?? Infinity) || a.name.localeCompare(b.name, 'vi')
	);
	return health;
}
