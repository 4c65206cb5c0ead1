// Shared by the test server and the bench's server handle; imports nothing, so the bench's device
// side does not load the server's modules.

/** The device cookie (`dv_session=…`) a POST /api/session answer sets; throws when sign-in failed. */
export async function sessionCookieOf(res: Response): Promise<string> {
	if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
	const pair = res.headers.getSetCookie()[0]?.split(';', 1)[0];
	if (!pair?.startsWith('dv_session=')) throw new Error('sign-in set no dv_session cookie');
	return pair;
}
