import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { DECLARATION_BODY_MAX_BYTES } from '../../src/lib/domain/declarations';
import { closeAfter } from '../http/request-guards';
import {
	BAD_JSON,
	DeclarationError,
	sendDeclarationError,
	TOO_LARGE,
	tooMany
} from './declaration-errors';
import type { DeclarationService } from './declaration-service';

// The public declaration API (docs/decisions/0019-self-declarations.md, docs/architecture.md):
//   GET  /api/join/<unitId>-<CODE>     what a join link declares to (unit, chi đoàn, consent text);
//   POST /api/declarations             a new declaration (201; 200 for an identical resend);
//   POST /api/declarations/status      { receipt } → the declaration as its author sees it;
//   POST /api/declarations/correct     { receipt, fields, consent } → a new revision while open;
//   POST /api/declarations/withdraw    { receipt } → withdrawn while open.
// No account: the link opens one unit, the receipt code one declaration. Mounted before the other
// /api routers, whose JSON parser allows larger bodies: here a body is at most 16 KB, refused
// (413) from its Content-Length before a byte of it is read, or as soon as it passes the limit.
// The cross-site guard and the JSON-only rule (request-guards.ts) have run already. Receipt codes
// travel in bodies only, so the request log (path and status) never holds one.

const parseJson = express.json({
	limit: DECLARATION_BODY_MAX_BYTES,
	strict: true,
	// Phones send plain JSON; a compressed body could only hide its size.
	inflate: false
});

function clientIp(req: Request): string {
	return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

type Refuse = (res: Response, error: DeclarationError) => void;

/** The body, parsed, at most DECLARATION_BODY_MAX_BYTES; answers and stops on anything else. */
function bodyReader(refuse: Refuse) {
	return (req: Request, res: Response, next: NextFunction): void => {
		const declared = Number(req.headers['content-length']);
		if (Number.isFinite(declared) && declared > DECLARATION_BODY_MAX_BYTES) {
			closeAfter(req, res);
			refuse(res, TOO_LARGE());
			return;
		}
		parseJson(req, res, (error?: unknown) => {
			if (!error) return next();
			const { type, status } = (error ?? {}) as { type?: string; status?: number };
			if (type === 'entity.too.large' || status === 413) {
				closeAfter(req, res);
				refuse(res, TOO_LARGE());
				return;
			}
			refuse(res, BAD_JSON());
		});
	};
}

type Handler = (req: Request, res: Response) => Promise<void>;

export function createDeclarationRouter(options: { service: DeclarationService }): Router {
	const { service } = options;
	const limiter = service.limiter;
	const router = express.Router();
	// Every refusal is counted in the audit trail by its code, never with what was sent
	// (declaration-audit.ts).
	const refuse: Refuse = (res, error) => {
		service.refused(error);
		sendDeclarationError(res, error);
	};
	const readBody = bodyReader(refuse);
	/** Our refusals as they are; anything else to the app's error handler (a 500 that tells nothing). */
	const handle =
		(handler: Handler) =>
		(req: Request, res: Response, next: NextFunction): void => {
			res.set('cache-control', 'no-store');
			handler(req, res).catch((error: unknown) => {
				if (error instanceof DeclarationError) refuse(res, error);
				else next(error);
			});
		};

	router.get(
		'/join/:token',
		(req, res, next) => {
			const attempt = limiter.joinLookup(clientIp(req));
			if ('blocked' in attempt) {
				refuse(res, tooMany(attempt.blocked));
				return;
			}
			res.locals.knownLink = attempt.release;
			next();
		},
		handle(async (req, res) => {
			const info = await service.joinInfo(String(req.params.token ?? ''));
			(res.locals.knownLink as () => void)();
			res.json(info);
		})
	);

	router.post(
		'/declarations',
		// Counted before the body is read: a flood of broken bodies counts as much as good ones.
		(req, res, next) => {
			const attempt = limiter.submission(clientIp(req));
			if (!attempt.ok) {
				closeAfter(req, res);
				refuse(res, tooMany(attempt.retryAfterSeconds));
				return;
			}
			next();
		},
		readBody,
		handle(async (req, res) => {
			const answer = await service.submit(req.body);
			res.status(answer.status).json(answer.view);
		})
	);

	const receiptRoute = (
		path: string,
		act: (body: unknown, known: () => void) => Promise<unknown>
	) => {
		router.post(
			path,
			(req, res, next) => {
				const attempt = limiter.receipt(clientIp(req));
				if ('blocked' in attempt) {
					closeAfter(req, res);
					refuse(res, tooMany(attempt.blocked));
					return;
				}
				res.locals.knownReceipt = attempt.release;
				next();
			},
			readBody,
			handle(async (req, res) => {
				res.json(await act(req.body, res.locals.knownReceipt as () => void));
			})
		);
	};
	receiptRoute('/declarations/status', (body, known) => service.status(body, known));
	receiptRoute('/declarations/correct', (body, known) => service.correct(body, known));
	receiptRoute('/declarations/withdraw', (body, known) => service.withdraw(body, known));

	return router;
}
