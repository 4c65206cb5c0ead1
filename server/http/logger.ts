// One JSON line per event on stdout. Never personal data: requests are logged as method, path
// without the query string, status, duration and login name only.

export interface Logger {
	info(event: string, fields?: Record<string, unknown>): void;
	error(event: string, fields?: Record<string, unknown>): void;
}

export function createLogger(options: { enabled: boolean }): Logger {
	const write = (stream: NodeJS.WriteStream, level: string, event: string, fields = {}) => {
		// LOG=off silences the request log, never errors.
		if (!options.enabled && level !== 'error') return;
		stream.write(`${JSON.stringify({ t: new Date().toISOString(), level, event, ...fields })}\n`);
	};
	return {
		info: (event, fields) => write(process.stdout, 'info', event, fields),
		error: (event, fields) => write(process.stderr, 'error', event, fields)
	};
}

/** An error's class and message, never its properties (a CouchDB error body may echo a document). */
export function describeError(error: unknown): string {
	if (error instanceof Error) {
		const cause = (error as { cause?: { code?: string } }).cause?.code;
		return `${error.name}: ${error.message}${cause ? ` (${cause})` : ''}`.slice(0, 300);
	}
	return String(error).slice(0, 300);
}
