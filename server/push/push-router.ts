import express, { type Request, type Response, type Router } from 'express';
import * as v from 'valibot';
import type { DeviceDoc, DeviceService } from '../accounts/device-service';
import { invalid } from '../accounts/account-service';
import type { SessionController } from '../accounts/session-controller';
import { asyncHandler } from '../http/async-handler';
import { signedInGuard } from '../http/signed-in-guard';
import { pushSubscriptionSchema } from './push-subscription';
import type { VapidKeys } from './vapid-keys';

// The phone's side of Web Push (docs/decisions/0022-web-push.md). Every route acts on the device
// behind the request's own cookie: a device registers where it itself is told of mail, never where
// another one is. Any signed-in account may (a viewer's phone receives its unit's mail too).
//
//   GET    /api/push/key           → { publicKey }: the server's VAPID key, to subscribe with
//   POST   /api/push/subscription  ← the browser's PushSubscription JSON → { ok: true }
//   DELETE /api/push/subscription  → { ok: true } (nothing to delete is fine too)

/** A PushSubscription's JSON is a few hundred bytes; a larger body is not one. */
const BODY_LIMIT = '4kb';

export function createPushRouter(options: {
	sessions: SessionController;
	devices: DeviceService;
	vapid: VapidKeys;
	allowLocalHttpEndpoints: boolean;
}): Router {
	const { sessions, devices, vapid } = options;
	const schema = pushSubscriptionSchema({ allowLocalHttp: options.allowLocalHttpEndpoints });
	const router = express.Router();
	// Mounted before the other /api routers, so their larger JSON limit never reads these bodies.
	router.use('/push', express.json({ limit: BODY_LIMIT }));

	const signedIn = signedInGuard(sessions);
	const signedInDevice = async (req: Request, res: Response): Promise<DeviceDoc | undefined> =>
		(await signedIn(req, res))?.device;

	router.get(
		'/push/key',
		asyncHandler(async (req, res) => {
			if (!(await signedInDevice(req, res))) return;
			res.json({ publicKey: (await vapid.get()).publicKey });
		})
	);

	router.post(
		'/push/subscription',
		asyncHandler(async (req, res) => {
			const device = await signedInDevice(req, res);
			if (!device) return;
			const parsed = v.safeParse(schema, req.body ?? {});
			if (!parsed.success)
				throw invalid(parsed.issues, 'Thông tin đăng ký thông báo không hợp lệ.');
			const { endpoint, keys } = parsed.output;
			await devices.setPush({
				deviceId: device.id,
				push: { endpoint, keys, subscribedAt: new Date().toISOString() }
			});
			res.json({ ok: true });
		})
	);

	router.delete(
		'/push/subscription',
		asyncHandler(async (req, res) => {
			const device = await signedInDevice(req, res);
			if (!device) return;
			await devices.setPush({ deviceId: device.id, push: undefined });
			res.json({ ok: true });
		})
	);

	return router;
}
