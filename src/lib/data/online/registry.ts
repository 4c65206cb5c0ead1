import type { CitizenIdRegistryAnswer } from '$lib/domain/operations/admission';

// The national citizen-id registry kept by the server (docs/architecture.md, "National citizen-id
// registry"): asked before an admission when the device is online. Offline, or a server that does
// not answer, is "unavailable": the admission goes ahead and the server checks again when the
// member document syncs (a clash then comes back as a refused document, shown on the profile).

const TIMEOUT_MS = 6_000;

export async function checkCitizenIdRegistry(options: {
	citizenId: string;
	origin?: string;
}): Promise<CitizenIdRegistryAnswer> {
	const unavailable: CitizenIdRegistryAnswer = { status: 'unavailable' };
	if (typeof navigator !== 'undefined' && navigator.onLine === false) return unavailable;
	try {
		const res = await fetch(
			`${options.origin ?? ''}/api/registry/check?citizenId=${encodeURIComponent(options.citizenId)}`,
			{ credentials: 'same-origin', signal: AbortSignal.timeout(TIMEOUT_MS) }
		);
		if (res.status !== 200) return unavailable;
		const body = (await res.json()) as { status?: string; unitName?: string };
		if (body.status === 'free') return { status: 'free' };
		if (body.status === 'active') {
			return { status: 'active', unitName: body.unitName || 'một đơn vị khác' };
		}
		return unavailable;
	} catch {
		return unavailable;
	}
}
