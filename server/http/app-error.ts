import type { Response } from 'express';

// Every error a user sees is `{ error, reason, field? }` with `reason` a Vietnamese sentence
// (docs/architecture.md). Services throw AppError; the routers turn it into that JSON.

export interface ErrorBody {
	error: string;
	reason: string;
	field?: string;
}

export class AppError extends Error {
	readonly status: number;
	readonly code: string;
	readonly reason: string;
	readonly field: string | undefined;

	constructor(options: { status: number; error: string; reason: string; field?: string }) {
		super(options.reason);
		this.status = options.status;
		this.code = options.error;
		this.reason = options.reason;
		this.field = options.field;
	}

	get body(): ErrorBody {
		return this.field === undefined
			? { error: this.code, reason: this.reason }
			: { error: this.code, reason: this.reason, field: this.field };
	}
}

export function sendError(
	res: Response,
	options: { status: number; error: string; reason: string; field?: string }
): void {
	if (res.headersSent) {
		res.destroy();
		return;
	}
	const body: ErrorBody = { error: options.error, reason: options.reason };
	if (options.field !== undefined) body.field = options.field;
	res.status(options.status).set('cache-control', 'no-store').json(body);
}

/** 429 `too_many_requests` with the Retry-After a limiter gave, and why in Vietnamese. */
export function sendTooManyRequests(
	res: Response,
	options: { retryAfterSeconds: number; reason: string }
): void {
	res.set('retry-after', String(options.retryAfterSeconds));
	sendError(res, { status: 429, error: 'too_many_requests', reason: options.reason });
}

export const INTERNAL_ERROR: ErrorBody = {
	error: 'internal_error',
	reason: 'Máy chủ gặp sự cố khi xử lý yêu cầu. Vui lòng thử lại sau.'
};

export const UNAVAILABLE_ERROR: ErrorBody = {
	error: 'upstream_unavailable',
	reason: 'Máy chủ dữ liệu đang không phản hồi. Vui lòng thử lại sau ít phút.'
};
