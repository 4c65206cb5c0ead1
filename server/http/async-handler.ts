import type { NextFunction, Request, Response } from 'express';

type Handler = (req: Request, res: Response) => Promise<void>;

/** Express 4 does not catch rejected promises: this hands them to the error handler. */
export function asyncHandler(handler: Handler) {
	return (req: Request, res: Response, next: NextFunction) => {
		handler(req, res).catch(next);
	};
}
