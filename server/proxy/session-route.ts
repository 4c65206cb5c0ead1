import express, { type Request, type Response } from 'express';
import { couchRoles } from '../accounts/account-service';
import type { SessionController } from '../accounts/session-controller';
import { sendError } from '../http/app-error';

// `/couch/_session` as PouchDB expects it, answered here and never by CouchDB: sign-in and sign-out
// go through the same SessionController as /api/session; GET says who the device's cookie is.

// JSON only: a form-encoded sign-in is what a cross-site login form would send.
const sessionBody = [express.json({ limit: '16kb' })];

export async function answerCouchSession(
	sessions: SessionController,
	req: Request,
	res: Response
): Promise<void> {
	if (req.method === 'POST') {
		await runMiddleware(sessionBody, req, res);
		await sessions.signIn(req, res);
		return;
	}
	if (req.method === 'DELETE') {
		await sessions.signOut(req, res);
		return;
	}
	if (req.method !== 'GET' && req.method !== 'HEAD') {
		sendError(res, {
			status: 403,
			error: 'forbidden',
			reason: 'Yêu cầu này không được phép qua máy chủ Đoàn vụ.'
		});
		return;
	}
	if (!sessions.hasSessionCookie(req)) {
		// As CouchDB answers an anonymous caller.
		res.set('cache-control', 'no-store').json({ ok: true, userCtx: { name: null, roles: [] } });
		return;
	}
	const auth = await sessions.authenticate(req, res);
	if (!auth.ok) {
		sendError(res, { status: 401, error: auth.error, reason: auth.reason });
		return;
	}
	res.set('cache-control', 'no-store').json({
		ok: true,
		userCtx: { name: auth.account.login, roles: couchRoles(auth.account) },
		info: { authenticated: 'cookie' }
	});
}

function runMiddleware(
	stack: express.RequestHandler[],
	req: Request,
	res: Response
): Promise<void> {
	return stack.reduce(
		(previous, handler) =>
			previous.then(
				() =>
					new Promise<void>((resolve, reject) => {
						handler(req, res, (error?: unknown) => (error ? reject(error) : resolve()));
					})
			),
		Promise.resolve()
	);
}
