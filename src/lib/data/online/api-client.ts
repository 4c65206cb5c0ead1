// Our own endpoints (/api). Every failure becomes an ApiError with a Vietnamese sentence to show.

export class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly field?: string
	) {
		super(message);
	}

	/** True when the request never reached the server. */
	get offline(): boolean {
		return this.status === 0;
	}
}

export async function apiRequest<T>(options: {
	method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
	path: string;
	body?: unknown;
	origin?: string;
	/** Extra headers (a test's device cookie, where no browser keeps one). */
	headers?: Record<string, string>;
}): Promise<T> {
	const origin = options.origin ?? '';
	let res: Response;
	try {
		res = await fetch(`${origin}/api${options.path}`, {
			method: options.method ?? 'GET',
			headers: {
				...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
				...options.headers
			},
			body: options.body === undefined ? undefined : JSON.stringify(options.body),
			credentials: 'same-origin'
		});
	} catch {
		throw new ApiError(
			0,
			'offline',
			'Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại; dữ liệu trên máy vẫn an toàn.'
		);
	}
	const text = await res.text();
	let data: unknown = null;
	try {
		data = text ? JSON.parse(text) : null;
	} catch {
		data = null;
	}
	if (!res.ok) {
		const err = (data ?? {}) as { error?: string; reason?: string; field?: string };
		throw new ApiError(
			res.status,
			err.error ?? 'error',
			err.reason ?? `Máy chủ báo lỗi (${res.status}). Vui lòng thử lại sau.`,
			err.field
		);
	}
	return data as T;
}
