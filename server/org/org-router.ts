import express, { type Request, type Response, type Router } from 'express';
import type { AccountAdmin } from '../accounts/account-admin';
import { asyncHandler } from '../http/async-handler';
import { sendError } from '../http/app-error';
import type { JobDoc } from '../workers/job-service';
import { actorOf, type Actor } from './org-access';
import type { SessionController } from '../accounts/session-controller';
import type { UnitService } from './unit-service';

// The organisation API (docs/architecture.md, "Organisation API"): units, jobs, accounts, devices,
// the directory. Every route needs a signed-in device whose account has changed its temporary
// password; the services decide who may do what and answer `{ error, reason, field? }` errors.

export function createOrgRouter(options: {
	sessions: SessionController;
	units: UnitService;
	accountAdmin: AccountAdmin;
	forwardNow: (job: JobDoc) => Promise<number>;
}): Router {
	const { sessions, units, accountAdmin, forwardNow } = options;
	const router = express.Router();
	router.use(express.json({ limit: '64kb' }));

	const withActor = (handler: (actor: Actor, req: Request, res: Response) => Promise<void>) =>
		asyncHandler(async (req, res) => {
			res.set('cache-control', 'no-store');
			const auth = await sessions.authenticate(req, res);
			if (!auth.ok) {
				sendError(res, { status: 401, error: auth.error, reason: auth.reason });
				return;
			}
			// A temporary password is known to the manager who issued it: nothing is done in the
			// account's name until its owner has replaced it.
			if (auth.account.mustChangePassword) {
				sendError(res, {
					status: 403,
					error: 'password_change_required',
					reason: 'Vui lòng đổi mật khẩu tạm thời trước khi tiếp tục.'
				});
				return;
			}
			await handler(actorOf(auth.account), req, res);
		});
	const param = (req: Request, name: string) => String(req.params[name] ?? '');

	router.get(
		'/units/:id',
		withActor(async (actor, req, res) => {
			res.json(await units.view(actor, param(req, 'id')));
		})
	);
	router.post(
		'/units',
		withActor(async (actor, req, res) => {
			res.status(201).json(await units.create(actor, req.body));
		})
	);
	router.post(
		'/units/:id/rename',
		withActor(async (actor, req, res) => {
			res.json(await units.rename(actor, param(req, 'id'), req.body));
		})
	);
	router.post(
		'/units/:id/merge',
		withActor(async (actor, req, res) => {
			res.status(202).json(await units.requestMerge(actor, param(req, 'id'), req.body));
		})
	);
	router.post(
		'/units/:id/split',
		withActor(async (actor, req, res) => {
			res.status(202).json(await units.requestSplit(actor, param(req, 'id'), req.body));
		})
	);
	router.post(
		'/units/:id/dissolve',
		withActor(async (actor, req, res) => {
			res.json(await units.dissolve(actor, param(req, 'id')));
		})
	);
	router.get(
		'/units/:id/members',
		withActor(async (actor, req, res) => {
			res.json(await units.members(actor, param(req, 'id'), req.query));
		})
	);
	router.get(
		'/units/:id/accounts',
		withActor(async (actor, req, res) => {
			res.json(await accountAdmin.list(actor, param(req, 'id')));
		})
	);
	router.post(
		'/units/:id/accounts',
		withActor(async (actor, req, res) => {
			res.status(201).json(await accountAdmin.issue(actor, param(req, 'id'), req.body));
		})
	);

	router.get(
		'/jobs/:id',
		withActor(async (actor, req, res) => {
			res.json(await units.getJob(actor, param(req, 'id')));
		})
	);
	router.post(
		'/jobs/:id/close',
		withActor(async (actor, req, res) => {
			res.json(await units.closeForwarding(actor, param(req, 'id'), forwardNow));
		})
	);

	router.post(
		'/accounts/:login/reset-password',
		withActor(async (actor, req, res) => {
			res.json(await accountAdmin.resetPassword(actor, param(req, 'login')));
		})
	);
	router.post(
		'/accounts/:login/disable',
		withActor(async (actor, req, res) => {
			res.json(await accountAdmin.setDisabled(actor, param(req, 'login'), true));
		})
	);
	router.post(
		'/accounts/:login/enable',
		withActor(async (actor, req, res) => {
			res.json(await accountAdmin.setDisabled(actor, param(req, 'login'), false));
		})
	);
	router.post(
		'/devices/:id/revoke',
		withActor(async (actor, req, res) => {
			res.json(await accountAdmin.revokeDevice(actor, param(req, 'id')));
		})
	);

	router.get(
		'/directory',
		withActor(async (_actor, req, res) => {
			res.json(await units.search(req.query));
		})
	);

	return router;
}
