import type { NextFunction, Request, Response } from 'express';
import type { Logger } from './logger';

/**
 * The path as logged: without its query, and without a join link's code (`/api/join/<unit>-<CODE>`,
 * docs/decisions/0019-self-declarations.md) — a log is no place to collect the codes of every
 * poster. Receipt codes never appear in a path at all (they travel in bodies).
 */
export function loggedPath(url: string): string {
	const path = url.split('?', 1)[0] ?? '';
	// Whatever follows the unit id goes, however it was spelt (`-`, `%2D`, extra segments).
	return path.replace(/^(\/api\/join\/[a-z0-9]*).+$/i, '$1…');
}

/** One log line per request once its answer is out: method, path without query, status, time, login. */
export function requestLog(logger: Logger) {
	return (req: Request, res: Response, next: NextFunction) => {
		const start = process.hrtime.bigint();
		const path = loggedPath(req.originalUrl);
		res.once('close', () => {
			logger.info('request', {
				method: req.method,
				path,
				status: res.statusCode,
				ms: Number((process.hrtime.bigint() - start) / 1_000_000n),
				login: res.locals.login
			});
		});
		next();
	};
}
