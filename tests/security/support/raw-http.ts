import http from 'node:http';

// A request sent exactly as written: fetch() resolves `..` and `.` in a URL before sending, and
// the attacks on path handling need the server to see them.

export interface RawAnswer {
	status: number;
	headers: http.IncomingHttpHeaders;
	text: string;
}

export function rawRequest(
	baseUrl: string,
	options: {
		method?: string;
		path: string;
		headers?: Record<string, string>;
		body?: string | Uint8Array;
		agent?: http.Agent;
		timeoutMs?: number;
	}
): Promise<RawAnswer> {
	const base = new URL(baseUrl);
	return new Promise((resolve, reject) => {
		const req = http.request({
			host: base.hostname,
			port: base.port,
			method: options.method ?? 'GET',
			path: options.path,
			headers: {
				...options.headers,
				...(options.body === undefined
					? {}
					: {
							'content-length':
								typeof options.body === 'string'
									? Buffer.byteLength(options.body)
									: options.body.byteLength
						})
			},
			agent: options.agent ?? false
		});
		req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error('no answer in time')));
		req.on('error', reject);
		req.on('response', (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (chunk: string) => (text += chunk));
			res.on('end', () =>
				resolve({
					status: res.statusCode ?? 0,
					headers: res.headers,
					text
				})
			);
			res.on('error', reject);
		});
		req.end(options.body);
	});
}

/** As expectRefusedResponse, for a raw answer. */
export function refusedStatus(answer: RawAnswer): boolean {
	return answer.status >= 400 && answer.status < 500;
}
