import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { AccountAdmin } from '../accounts/account-admin';
import { asyncHandler } from '../http/async-handler';
import { signedInGuard } from '../http/signed-in-guard';
import type { JobDoc } from '../workers/job-service';
import { actorOf, type Actor } from './org-access';
import type { SessionController } from '../accounts/session-controller';
import type { UnitService } from './unit-service';

// The organisation API (docs/architecture.md, "Organisation API"): units, jobs, accounts, devices,
// the directory. Every route needs a signed-in device whose account has changed its temporary
// password; the services decide who may do what and answer `{ error, reason, field? }` errors.

/** A route's work, done as the signed-in account's actor. */
export type ActorHandler = (actor: Actor, req: Request, res: Response) => Promise<void>;

/**
 * Wraps a route's work behind the signed-in guard (a live device whose account has replaced its
 * temporary password): the organisation routers' one way in.
 */
export function actorRoute(sessions: SessionController): (handler: ActorHandler) => RequestHandler {
	const signedIn = signedInGuard(sessions);
	return (handler) =>
		asyncHandler(async (req, res) => {
			const who = await signedIn(req, res);
			if (!who) return;
			await handler(actorOf(who.account), req, res);
		});
}

/** A route parameter as text (Express leaves a missing one undefined). */
export const param = (req: Request, name: string): string => String(req.params[name] ?? '');

export function createOrgRouter(options: {
	sessions: SessionController;
	units: UnitService;
	accountAdmin: AccountAdmin;
	forwardNow: (job: JobDoc) => Promise<number>;
}): Router {
	const { sessions, units, accountAdmin, forwardNow } = options;
	const router = express.Router();
	router.use(express.json({ limit: '64kb' }));

	const withActor = actorRoute(sessions);

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
