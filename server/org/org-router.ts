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
	// Every route has one shape: the actor's work, answered as JSON with the route's status.
	const answer = (
		status: number,
		work: (actor: Actor, req: Request) => Promise<unknown>
	): RequestHandler =>
		withActor(async (actor, req, res) => {
			res.status(status).json(await work(actor, req));
		});
	const id = (req: Request) => param(req, 'id');
	const login = (req: Request) => param(req, 'login');

	router.get(
		'/units/:id',
		answer(200, (actor, req) => units.view(actor, id(req)))
	);
	router.post(
		'/units',
		answer(201, (actor, req) => units.create(actor, req.body))
	);
	router.post(
		'/units/:id/rename',
		answer(200, (actor, req) => units.rename(actor, id(req), req.body))
	);
	router.post(
		'/units/:id/merge',
		answer(202, (actor, req) => units.requestMerge(actor, id(req), req.body))
	);
	router.post(
		'/units/:id/split',
		answer(202, (actor, req) => units.requestSplit(actor, id(req), req.body))
	);
	router.post(
		'/units/:id/dissolve',
		answer(200, (actor, req) => units.dissolve(actor, id(req)))
	);
	router.get(
		'/units/:id/members',
		answer(200, (actor, req) => units.members(actor, id(req), req.query))
	);
	router.get(
		'/units/:id/accounts',
		answer(200, (actor, req) => accountAdmin.list(actor, id(req)))
	);
	router.post(
		'/units/:id/accounts',
		answer(201, (actor, req) => accountAdmin.issue(actor, id(req), req.body))
	);

	router.get(
		'/jobs/:id',
		answer(200, (actor, req) => units.getJob(actor, id(req)))
	);
	router.post(
		'/jobs/:id/close',
		answer(200, (actor, req) => units.closeForwarding(actor, id(req), forwardNow))
	);

	router.post(
		'/accounts/:login/reset-password',
		answer(200, (actor, req) => accountAdmin.resetPassword(actor, login(req)))
	);
	router.post(
		'/accounts/:login/disable',
		answer(200, (actor, req) => accountAdmin.setDisabled(actor, login(req), true))
	);
	router.post(
		'/accounts/:login/enable',
		answer(200, (actor, req) => accountAdmin.setDisabled(actor, login(req), false))
	);
	router.post(
		'/devices/:id/revoke',
		answer(200, (actor, req) => accountAdmin.revokeDevice(actor, id(req)))
	);

	router.get(
		'/directory',
		answer(200, (_actor, req) => units.search(req.query))
	);

	return router;
}
