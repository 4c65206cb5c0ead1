import type { NextFunction, Request, Response } from 'express';
import { AppError, INTERNAL_ERROR, sendError, UNAVAILABLE_ERROR } from './app-error';
import { describeError, type Logger } from './logger';

// The last handler of the app: our own errors and the body parser's as they are, the store being
// unreachable as a 503, anything else logged and answered with a 500 that tells nothing.

/** JSON body parser failures (bad JSON, too large) as our error shape. */
export function bodyParserError(error: unknown): AppError | undefined {
	const { type, status } = (error ?? {}) as { type?: string; status?: number };
	if (type === 'entity.too.large' || status === 413) {
		return new AppError({
			status: 413,
			error: 'too_large',
			reason: 'Dữ liệu gửi lên quá lớn.'
		});
	}
	if (type === 'entity.parse.failed' || type === 'encoding.unsupported' || status === 400) {
		return new AppError({
			status: 400,
			error: 'bad_request',
			reason: 'Dữ liệu gửi lên không đúng định dạng JSON.'
		});
	}
	if (status === 415) {
		return new AppError({
			status: 415,
			error: 'unsupported_encoding',
			reason: 'Kiểu nén dữ liệu gửi lên không được hỗ trợ.'
		});
	}
	return undefined;
}

export function errorHandler(logger: Logger) {
	return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
		const known = error instanceof AppError ? error : bodyParserError(error);
		if (known) {
			sendError(res, { status: known.status, ...known.body });
			return;
		}
		logger.error('request_failed', {
			method: req.method,
			path: req.originalUrl.split('?', 1)[0],
			error: describeError(error)
		});
		// fetch() to CouchDB failing outright means the store is down, not that we are broken.
		if (error instanceof TypeError && /fetch failed/.test(error.message)) {
			sendError(res, { status: 503, ...UNAVAILABLE_ERROR });
			return;
		}
		sendError(res, { status: 500, ...INTERNAL_ERROR });
	};
}
