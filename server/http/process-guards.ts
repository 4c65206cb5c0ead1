import { describeError, type Logger } from './logger';

let guardsInstalled = false;

// An upstream socket error or a bug in one request must not take every secretary's sync down.
export function installProcessGuards(logger: Logger): void {
	if (guardsInstalled) return;
	guardsInstalled = true;
	process.on('uncaughtException', (error) => {
		logger.error('uncaught_exception', { error: describeError(error) });
	});
	process.on('unhandledRejection', (reason) => {
		logger.error('unhandled_rejection', { error: describeError(reason) });
	});
}
