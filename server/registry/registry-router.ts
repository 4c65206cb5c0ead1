import express, { type Request, type Response, type Router } from 'express';
import * as v from 'valibot';
import { MEMBER_ID_PATTERN } from '../../src/lib/domain/member-schema';
import type { AccountDoc } from '../accounts/account-service';
import { asyncHandler } from '../http/async-handler';
import { sendError } from '../http/app-error';
import { signedInGuard } from '../http/signed-in-guard';
import type { AuditService } from '../audit/audit-service';
import type { ProvisionService } from '../couch/provision-service';
import { CITIZEN_ID_PATTERN, type CitizenRegistry } from './registry-service';
import type { SessionController } from '../accounts/session-controller';
import { parse } from '../http/validation';

// The citizen-id registry through the API (docs/architecture.md, "National citizen-id registry"):
//   GET  /api/registry/check?citizenId=&memberId=  any signed-in account, rate-limited per account,
//        unit and address (config.registryCheckLimits, shared with the /couch guard): whether the
//        number is on the rolls somewhere (`active`, with the unit's name and nothing else) or
//        `free`; the member itself (`memberId`) does not count against its own number;
//   POST /api/registry/rebuild  the top unit's admin: every unit database is read again and the
//        registry brought in line with it (in the background: 202).
// The limit keeps an account from probing which numbers are active where; numbers are never logged
// (the request log drops query strings).

const CheckSchema = v.object({
	citizenId: v.pipe(
		v.optional(v.string('Số CCCD phải gồm 12 chữ số.'), ''),
		v.regex(CITIZEN_ID_PATTERN, 'Số CCCD phải gồm đúng 12 chữ số.')
	),
	memberId: v.optional(
		v.pipe(v.string('Mã hồ sơ không hợp lệ.'), v.regex(MEMBER_ID_PATTERN, 'Mã hồ sơ không hợp lệ.'))
	)
});

export function createRegistryRouter(options: {
	sessions: SessionController;
	registry: CitizenRegistry;
	provision: ProvisionService;
	audit: AuditService;
	rebuild: () => Promise<number>;
}): Router {
	const { sessions, registry, provision, audit } = options;
	// Counted against registry.lookups, which the /couch guard shares (registry-service.ts).
	const router = express.Router();

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
				res.set('retry-after', String(attempt.retryAfterSeconds));
				sendError(res, {
					status: 429,
					error: 'too_many_requests',
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
