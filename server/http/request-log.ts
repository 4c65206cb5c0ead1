import type { NextFunction, Request, Response } from 'express';
import type { Logger } from './logger';

/** One log line per request once its answer is out: method, path without query, status, time, login. */
export function requestLog(logger: Logger) {
	return (req: Request, res: Response, next: NextFunction) => {
		const start = process.hrtime.bigint();
		const path = req.originalUrl.split('?', 1)[0];
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
