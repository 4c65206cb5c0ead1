import express, { type Request, type Response, type Router } from 'express';
import * as v from 'valibot';
import { MEMBER_ID_PATTERN } from '../../src/lib/domain/member-schema';
import type { AccountDoc } from '../accounts/account-service';
import { asyncHandler } from '../http/async-handler';
import { sendError, sendTooManyRequests } from '../http/app-error';
import { signedInGuard } from '../http/signed-in-guard';
import type { AuditService } from '../audit/audit-service';
import type { ProvisionService } from '../couch/provision-service';
import { writesUnitData } from '../../src/lib/domain/org/roles';
import { ClashLookupBudget, type ClashLookupLimits } from './clash-budget';
import { CITIZEN_ID_PATTERN, type CitizenRegistry } from './registry-service';
import type { SessionController } from '../accounts/session-controller';
import { parse } from '../http/validation';

// The citizen-id registry through the API (docs/architecture.md, "National citizen-id registry"):
//   GET  /api/registry/check?citizenId=&memberId=  any signed-in account, rate-limited per account,
//        unit and address (config.registryCheckLimits, shared with the /couch guard): whether the
//        number is on the rolls somewhere (`active`, with the unit's name and nothing else) or
//        `free`; the member itself (`memberId`) does not count against its own number;
//   POST /api/registry/clashes  ← { citizenIds: string[] } (1–5,000 numbers of 12 digits) →
//        { clashes: [{ citizenId, unitName }] }: of the numbers sent, those on the rolls in another
//        unit, with its name — the single check's answer, nothing more, and only for numbers the
//        caller sent. For a member import's whole file (docs/spreadsheets.md, "Clashes for a whole
//        file"), so only accounts that write their unit's data (a viewer does not import); braked by
//        distinct ids per account and per unit a day and by requests an hour (clash-budget.ts), on
//        its own count: the single check's 30 a minute stay for the counter and the sync;
//   POST /api/registry/rebuild  the top unit's admin: every unit database is read again and the
//        registry brought in line with it (in the background: 202).
// The limits keep an account from probing which numbers are active where; numbers are never logged
// (the request log drops query strings and bodies; the audit entry of a batch holds counts only).

const CheckSchema = v.object({
	citizenId: v.pipe(
		v.optional(v.string('Số CCCD phải gồm 12 chữ số.'), ''),
		v.regex(CITIZEN_ID_PATTERN, 'Số CCCD phải gồm đúng 12 chữ số.')
	),
	memberId: v.optional(
		v.pipe(v.string('Mã hồ sơ không hợp lệ.'), v.regex(MEMBER_ID_PATTERN, 'Mã hồ sơ không hợp lệ.'))
	)
});

/** A member import asks about a whole file: up to 5,000 rows, the bench's and the size. */
export const MAX_CLASH_IDS = 5_000;

const ClashesSchema = v.strictObject(
	{
		citizenIds: v.pipe(
			v.array(
				v.pipe(
					v.string('Số CCCD phải gồm 12 chữ số.'),
					v.regex(CITIZEN_ID_PATTERN, 'Số CCCD phải gồm đúng 12 chữ số.')
				),
				'Danh sách số CCCD không hợp lệ.'
			),
			v.minLength(1, 'Danh sách số CCCD đang trống.'),
			v.maxLength(MAX_CLASH_IDS, `Mỗi lần hỏi tối đa ${MAX_CLASH_IDS} số CCCD.`)
		)
	},
	'Yêu cầu chỉ gồm danh sách số CCCD.'
);

/** 5,000 numbers of 12 digits in JSON take ~75 kB; a larger body is not a list of numbers. */
const CLASHES_BODY_LIMIT = '96kb';

export function createRegistryRouter(options: {
	sessions: SessionController;
	registry: CitizenRegistry;
	provision: ProvisionService;
	audit: AuditService;
	rebuild: () => Promise<number>;
	/** config.registryClashLimits; the production limit by default. */
	clashLimits?: ClashLookupLimits;
}): Router {
	const { sessions, registry, provision, audit } = options;
	// Counted against registry.lookups, which the /couch guard shares (registry-service.ts).
	const router = express.Router();
	const clashBudget = new ClashLookupBudget({
		...(options.clashLimits ? { limits: options.clashLimits } : {})
	});
	// Its own parser, before the other /api routers' larger one can read these bodies.
	router.use('/registry/clashes', express.json({ limit: CLASHES_BODY_LIMIT }));

	const guard = signedInGuard(sessions);
	const signedIn = async (req: Request, res: Response): Promise<AccountDoc | undefined> =>
		(await guard(req, res))?.account;

	router.get(
		'/registry/check',
		asyncHandler(async (req, res) => {
			const account = await signedIn(req, res);
			if (!account) return;
			const input = parse(CheckSchema, req.query, 'Số CCCD không hợp lệ.');
			// Every check counts, reserved before the registry is read: per account, per unit and per
			// address, in the same limiter as the /couch guard's refusals (write-guard.ts).
			const attempt = registry.lookups.reserveLookup({
				login: account.login,
				unitId: account.unitId,
				ip: req.ip ?? req.socket.remoteAddress ?? 'unknown'
			});
			if (!attempt.ok) {
				sendTooManyRequests(res, {
					retryAfterSeconds: attempt.retryAfterSeconds,
					reason:
						'Bạn đã tra cứu số CCCD quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau ít phút.'
				});
				return;
			}
			const answer = await registry.check({
				citizenId: input.citizenId,
				...(input.memberId ? { memberId: input.memberId } : {})
			});
			res.json(answer);
		})
	);

	router.post(
		'/registry/clashes',
		asyncHandler(async (req, res) => {
			const account = await signedIn(req, res);
			if (!account) return;
			if (!writesUnitData(account.role)) {
				sendError(res, {
					status: 403,
					error: 'forbidden',
					reason:
						'Tài khoản chỉ xem không nhập được đoàn viên, nên không tra cứu được số CCCD theo tệp.'
				});
				return;
			}
			const input = parse(ClashesSchema, req.body, 'Danh sách số CCCD không hợp lệ.');
			const citizenIds = [...new Set(input.citizenIds)];
			// Counted before the registry is read, in one synchronous step (clash-budget.ts).
			const attempt = clashBudget.reserve({
				login: account.login,
				unitId: account.unitId,
				citizenIds
			});
			if (!attempt.ok) {
				sendTooManyRequests(res, {
					retryAfterSeconds: attempt.retryAfterSeconds,
					reason:
						attempt.reason === 'ids'
							? 'Đã tra cứu quá nhiều số CCCD trong ngày. Các số chưa kiểm tra sẽ được kiểm tra khi đồng bộ.'
							: 'Bạn đã tra cứu số CCCD quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau.'
				});
				return;
			}
			const clashes = await registry.clashes({ citizenIds, unitId: account.unitId });
			await audit.record({
				actor: account.login,
				action: 'registry.clashes',
				target: { type: 'unit', id: account.unitId },
				details: { asked: citizenIds.length, clashes: clashes.length }
			});
			res.json({ clashes });
		})
	);

	router.post(
		'/registry/rebuild',
		asyncHandler(async (req, res) => {
			const account = await signedIn(req, res);
			if (!account) return;
			const unit = await provision.getUnit(account.unitId);
			if (account.role !== 'admin' || !unit || unit.parentId !== null) {
				sendError(res, {
					status: 403,
					error: 'forbidden',
					reason: 'Chỉ quản trị viên cấp cao nhất được dựng lại danh sách số CCCD toàn quốc.'
				});
				return;
			}
			const generation = await options.rebuild();
			await audit.record({
				actor: account.login,
				action: 'registry.rebuild',
				target: { type: 'unit', id: unit.id },
				details: { generation }
			});
			res.status(202).json({ status: 'rebuilding', generation });
		})
	);

	return router;
}
