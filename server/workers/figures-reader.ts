import type { AccountService } from '../accounts/account-service';
import type { DeviceService } from '../accounts/device-service';
import type { CouchClient } from '../couch/couch-client';
import { isOnRolls, isMemberStatus } from '../../src/lib/domain/member-statuses';
import { entriesInForce, type HistoryDoc } from '../../src/lib/domain/history-schema';
import {
	summariseUnit,
	type FiguresDevice,
	type FiguresDoc,
	type Summary,
	type SummaryDeclaration,
	type SummaryDeclarationReview,
	type SummaryHistory,
	type SummaryMember
} from '../../src/lib/domain/figures';

// What the figures worker reads of ONE unit (docs/figures.md): its database in full (members,
// history, chi đoàn, transfer offers, device reports, members' declarations and their reviews), and its accounts' devices from
// `doanvu_accounts`. Only a unit whose database changed is read; its parent's figures are then
// added up from what is already known. Counts leave this file, never a name or a record.

/** One unit's own part of its figures: everything but what its subtree adds. */
export interface UnitPart {
	own: Summary;
	branches: FiguresDoc['branches'];
	activity: FiguresDoc['activity'];
	/** Vietnam's date it was computed for: a part of another day is read again. */
	today: string;
}

type Doc = Record<string, unknown> & { _id: string; _conflicts?: string[] };

/** Types written by the unit's devices: their latest `updatedAt` is the unit's last activity. */
const DEVICE_WRITTEN = new Set([
	'member',
	'history',
	'branch',
	'transfer',
	'numbering',
	'training-submission',
	'device-report',
	'target'
]);

const PAGE = 1000;

export class FiguresReader {
	readonly #couch: CouchClient;
	readonly #accounts: AccountService;
	readonly #devices: DeviceService;

	constructor(options: { couch: CouchClient; accounts: AccountService; devices: DeviceService }) {
		this.#couch = options.couch;
		this.#accounts = options.accounts;
		this.#devices = options.devices;
	}

	async read(options: { unitId: string; db: string; today: string }): Promise<UnitPart> {
		const { unitId, db, today } = options;
		const members: SummaryMember[] = [];
		const history: HistoryDoc[] = [];
		const branches = new Map<string, { name: string; status: string }>();
		const reports = new Map<string, Doc>();
		// Members' declarations and the unit's reviews (ADR 0019): counted by state, nothing else kept.
		const declarations: SummaryDeclaration[] = [];
		const reviews: SummaryDeclarationReview[] = [];
		let pendingIn = 0;
		let pendingOut = 0;
		let conflicts = 0;
		let lastWriteAt: string | undefined;
		for await (const doc of this.#docs(db)) {
			const type = doc.type;
			if (typeof type === 'string' && DEVICE_WRITTEN.has(type)) {
				const at = doc.updatedAt;
				if (typeof at === 'string' && (!lastWriteAt || at > lastWriteAt)) lastWriteAt = at;
			}
			if (type === 'member' && doc._id.startsWith('member:')) {
				members.push(doc as unknown as SummaryMember);
				if (doc.status === 'transferring') pendingOut++;
				if (doc._conflicts && doc._conflicts.length > 0) conflicts++;
			} else if (type === 'history' && doc._id.startsWith('history:')) {
				history.push(doc as unknown as HistoryDoc);
			} else if (type === 'branch' && doc._id.startsWith('branch:')) {
				// Version 1 chi đoàn had no status, only `closed` (branch-schema.ts upgrades them so).
				const status = doc.status ?? (doc.closed ? 'closed' : 'active');
				branches.set(doc._id, { name: String(doc.name ?? ''), status: String(status) });
			} else if (type === 'transfer' && doc.state === 'pending') {
				pendingIn++;
			} else if (type === 'device-report' && typeof doc.deviceId === 'string') {
				reports.set(doc.deviceId, doc);
			} else if (type === 'declaration' && doc._id.startsWith('declaration:')) {
				declarations.push({
					_id: doc._id,
					state: String(doc.state),
					revision: Number(doc.revision)
				});
			} else if (type === 'declaration-review' && doc._id.startsWith('declaration-review:')) {
				reviews.push({
					declarationId: String(doc.declarationId),
					decision: String(doc.decision),
					revision: Number(doc.revision)
				});
			}
		}
		const inForce: SummaryHistory[] = entriesInForce(history).map((entry) => ({
			memberId: entry.memberId,
			kind: entry.kind,
			at: entry.at,
			data: (entry as { data?: Record<string, unknown> }).data ?? {}
		}));
		const own = summariseUnit({
			members,
			history: inForce,
			today,
			declarations: { declarations, reviews }
		});
		const onRollsByBranch = new Map<string, number>();
		for (const member of members as (SummaryMember & { branchId?: string })[]) {
			if (!member.branchId || !isMemberStatus(member.status) || !isOnRolls(member.status)) continue;
			onRollsByBranch.set(member.branchId, (onRollsByBranch.get(member.branchId) ?? 0) + 1);
		}
		const reported = new Map<string, Reported>();
		for (const [deviceId, report] of reports) {
			reported.set(deviceId.slice(0, 8), {
				login: String(report.createdBy ?? ''),
				report: reportPart(report)
			});
		}
		const branchRows: FiguresDoc['branches'] = [];
		for (const [id, branch] of branches) {
			const onRolls = onRollsByBranch.get(id) ?? 0;
			// Closed and merged chi đoàn are listed only while members are still recorded in them.
			if (branch.status !== 'active' && onRolls === 0) continue;
			branchRows.push({ id, name: branch.name, onRolls });
		}
		branchRows.sort((a, b) => a.name.localeCompare(b.name, 'vi') || a.id.localeCompare(b.id));
		return {
			own,
			branches: branchRows,
			activity: {
				...(lastWriteAt ? { lastWriteAt } : {}),
				devices: await this.devices(unitId, reported),
				pendingTransfersOut: pendingOut,
				pendingTransfersIn: pendingIn,
				conflicts
			},
			today
		};
	}

	/** Every document of the database, a page at a time, with its conflicting revisions. */
	async *#docs(db: string): AsyncGenerator<Doc> {
		let startkey: string | undefined;
		for (;;) {
			const page = await this.#couch.json<{ rows: { id: string; doc?: Doc | null }[] }>({
				path: `${encodeURIComponent(db)}/_all_docs`,
				query: {
					include_docs: true,
					conflicts: true,
					limit: PAGE + 1,
					...(startkey !== undefined ? { startkey: JSON.stringify(startkey) } : {})
				},
				what: `${db}/_all_docs`
			});
			const rows = page.rows.slice(0, PAGE);
			for (const row of rows) {
				if (row.doc && !row.id.startsWith('_design/')) yield row.doc;
			}
			if (page.rows.length <= PAGE) return;
			startkey = page.rows[PAGE]!.id;
		}
	}

	/**
	 * The unit's devices again (a sign-in, a revocation, a device seen again), their reports kept
	 * from the figures already computed: its database need not be read for that.
	 */
	refreshDevices(unitId: string, previous: FiguresDevice[]): Promise<FiguresDevice[]> {
		const reported = new Map<string, Reported>();
		for (const device of previous) {
			if (device.lastSyncAt === undefined) continue;
			const { lastSyncAt, waiting, refused } = device;
			reported.set(device.id, {
				login: device.login,
				report: {
					lastSyncAt,
					...(waiting !== undefined ? { waiting } : {}),
					...(refused !== undefined ? { refused } : {})
				}
			});
		}
		return this.devices(unitId, reported);
	}

	/**
	 * The unit's devices as its superiors see them: the server's record (last seen, revoked) merged
	 * with the device's own report (last sync, waiting, refused), by the id's first 8 characters.
	 * Never a secret, never a user agent.
	 */
	async devices(unitId: string, reported: Map<string, Reported>): Promise<FiguresDevice[]> {
		const devices: FiguresDevice[] = [];
		const seen = new Set<string>();
		for (const account of await this.#accounts.listByUnit(unitId)) {
			for (const device of await this.#devices.listDevices({ login: account.login })) {
				const id = device.id.slice(0, 8);
				seen.add(id);
				devices.push({
					id,
					login: account.login,
					lastSeenAt: toTheHour(device.lastSeenAt),
					state: device.revokedAt ? 'revoked' : 'active',
					...reported.get(id)?.report
				});
			}
		}
		// A report from a device the accounts no longer list (its account moved or was removed).
		for (const [id, { login, report }] of reported) {
			if (!seen.has(id)) devices.push({ id, login, state: 'active', ...report });
		}
		devices.sort((a, b) => a.login.localeCompare(b.login) || a.id.localeCompare(b.id));
		return devices;
	}
}

/** A device's own report, by the first 8 characters of its id. */
interface Reported {
	login: string;
	report: Partial<FiguresDevice>;
}

function reportPart(report: Doc | undefined): Partial<FiguresDevice> {
	if (!report) return {};
	const count = (value: unknown) =>
		typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
	const waiting = count(report.waiting);
	const refused = count(report.refused);
	return {
		...(typeof report.syncedAt === 'string' ? { lastSyncAt: report.syncedAt } : {}),
		...(waiting !== undefined ? { waiting } : {}),
		...(refused !== undefined ? { refused } : {})
	};
}

/**
 * `lastSeenAt` to the hour: the server rewrites it every few minutes while a device works, and each
 * change of a unit's figures is written into every ancestor's database. Superiors read it in days.
 */
export function toTheHour(timestamp: string): string {
	const time = Date.parse(timestamp);
	if (Number.isNaN(time)) return timestamp;
	return new Date(time - (time % 3_600_000)).toISOString();
}
