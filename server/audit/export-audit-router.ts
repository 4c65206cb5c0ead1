import express, { type Router } from 'express';
import {
	describeExportFilters,
	ExportLogBatchSchema,
	type ExportLogEntry
} from '../../src/lib/domain/spreadsheets/export-log-schema';
import { inSubtree } from '../../src/lib/domain/org/access';
import { LoginRateLimiter, type RateLimits } from '../accounts/login-rate-limiter';
import type { SessionController } from '../accounts/session-controller';
import type { UnitRecord } from '../couch/provision-service';
import { sendError, sendTooManyRequests } from '../http/app-error';
import { asyncHandler } from '../http/async-handler';
import { signedInGuard } from '../http/signed-in-guard';
import { parse } from '../http/validation';
import type { AuditService } from './audit-service';

// Exports made on the phones, into the audit trail (docs/spreadsheets.md, "Exports"):
//   POST /api/audit/exports  ← { entries: ExportLogEntry[] } (at most 50) → { recorded }
// Any signed-in account (a viewer exports what it reads too). The actor is the device cookie's
// account, never the body's (the schema is strict: an `actor` field is refused); every entry's unit
// must be one the account may read; the whole batch is refused if one entry is not. Each entry is
// recorded under an id derived from the account and the phone's own id for the export, so a batch
// sent again after a lost answer is recorded once. The body holds no personal data: enumerated
// filters, counts, ids (docs/spreadsheets.md says why a search's words never travel).

/** 50 entries of a few hundred bytes each, with room; a larger body is not a batch of exports. */
const BODY_LIMIT = '32kb';

/** 60 batches an hour per account and per device: a backlog of 3,000 exports, or a busy month. */
export const EXPORT_AUDIT_LIMITS: RateLimits = {
	perLogin: 60,
	perIp: 0,
	windowMs: 60 * 60_000,
	maxBlockMs: 6 * 60 * 60_000
};

/** A phone's clock may run ahead; a day's worth is a wrong clock, more is not an export's time. */
const MAX_CLOCK_AHEAD_MS = 24 * 3_600_000;
/** Before the app existed: not an export's time either (and no ULID time below zero). */
const EARLIEST_EXPORT = Date.parse('2024-01-01T00:00:00Z');

const NOT_READABLE = 'Bạn chỉ xuất được danh sách của đơn vị mình và các đơn vị trực thuộc.';

export function createExportAuditRouter(options: {
	sessions: SessionController;
	audit: AuditService;
	unitById: (id: string) => Promise<UnitRecord | undefined>;
	limits?: RateLimits;
	now?: () => Date;
}): Router {
	const { sessions, audit, unitById } = options;
	const now = options.now ?? (() => new Date());
	const limiter = new LoginRateLimiter(options.limits ?? EXPORT_AUDIT_LIMITS);
	const router = express.Router();
	// Mounted before the other /api routers, so their larger JSON limit never reads these bodies.
	router.use('/audit/exports', express.json({ limit: BODY_LIMIT }));

	const signedIn = signedInGuard(sessions);

	router.post(
		'/audit/exports',
		asyncHandler(async (req, res) => {
			const who = await signedIn(req, res);
			if (!who) return;
			const { account } = who;
			const deviceId = who.device.id;
			const attempt = limiter.reserve([
				{ key: `login:${account.login}`, limit: limiter.limits.perLogin },
				{ key: `device:${deviceId}`, limit: limiter.limits.perLogin }
			]);
			if (!attempt.ok) {
				sendTooManyRequests(res, {
					retryAfterSeconds: attempt.retryAfterSeconds,
					reason: 'Máy gửi nhật ký xuất file quá nhiều lần. Máy sẽ tự gửi lại sau.'
				});
				return;
			}
			const { entries } = parse(ExportLogBatchSchema, req.body, 'Nhật ký xuất file không hợp lệ.');
			const latest = now().getTime() + MAX_CLOCK_AHEAD_MS;
			const badTime = entries.some((entry) => {
				const at = Date.parse(entry.at);
				return !(at >= EARLIEST_EXPORT && at <= latest);
			});
			if (badTime) {
				sendError(res, {
					status: 422,
					error: 'invalid',
					reason: 'Thời điểm xuất file không hợp lệ: kiểm tra ngày giờ của máy.',
					field: 'entries'
				});
				return;
			}
			const units = new Map<string, UnitRecord | undefined>();
			for (const unitId of new Set(entries.map((entry) => entry.unitId))) {
				units.set(unitId, await unitById(unitId));
			}
			// All or nothing: a batch naming a unit outside the account's subtree is refused whole.
			for (const unit of units.values()) {
				if (!unit || !inSubtree({ role: account.role, unitId: account.unitId }, unit)) {
					sendError(res, { status: 403, error: 'forbidden', reason: NOT_READABLE });
					return;
				}
			}
			for (const entry of entries) {
				await audit.record({
					actor: account.login,
					action: 'export',
					target: { type: 'unit', id: entry.unitId },
					details: exportDetails({ entry, deviceId }),
					seed: { time: Date.parse(entry.at), value: `export:${account.login}:${entry.id}` }
				});
			}
			res.json({ recorded: entries.length });
		})
	);

	return router;
}

/** What the trail keeps of an export: enumerated values, counts and ids only. */
function exportDetails(options: {
	entry: ExportLogEntry;
	deviceId: string;
}): Record<string, unknown> {
	const { entry, deviceId } = options;
	return {
		exportId: entry.id,
		kind: entry.kind,
		rows: entry.rows,
		filters: entry.filters,
		description: describeExportFilters(entry.filters),
		exportedAt: entry.at,
		deviceId,
		...(entry.memberId ? { memberId: entry.memberId } : {})
	};
}
