import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../server/config';
import { pushEndpointAllowed } from '../../../server/push/push-subscription';

// Web Push settings (docs/decisions/0022-web-push.md): the VAPID contact from the environment, and
// where the server may ever send a notice.

describe('Web Push settings', () => {
	it('take PUSH_CONTACT, mailto: or https:, and refuse anything else in Vietnamese', () => {
		expect(loadConfig({ env: {} }).push.contact).toMatch(/^mailto:/);
		expect(loadConfig({ env: { PUSH_CONTACT: 'https://doanvu.vn/lien-he' } }).push.contact).toBe(
			'https://doanvu.vn/lien-he'
		);
		for (const PUSH_CONTACT of ['quantri@doanvu.vn', 'http://doanvu.vn', 'mailto:']) {
			expect(() => loadConfig({ env: { PUSH_CONTACT } })).toThrow(ConfigError);
		}
		expect(() => loadConfig({ env: { PUSH_CONTACT: 'x' } })).toThrow(/PUSH_CONTACT phải là/);
	});

	it('never let http through in production, only loopback http under the test flag', () => {
		expect(pushEndpointAllowed('https://fcm.googleapis.com/fcm/send/abc', false)).toBe(true);
		expect(pushEndpointAllowed('http://127.0.0.1:9999/push/a', false)).toBe(false);
		expect(pushEndpointAllowed('http://127.0.0.1:9999/push/a', true)).toBe(true);
		expect(pushEndpointAllowed('http://10.0.0.5/push/a', true)).toBe(false);
		expect(pushEndpointAllowed('https://user:pw@push.example.com/a', false)).toBe(false);
		expect(pushEndpointAllowed('ftp://push.example.com/a', true)).toBe(false);
	});
});
