import { error } from '@sveltejs/kit';

// An address the app does not have: answered inside the app's layout (header, tabs), in Vietnamese,
// rather than by the bare root error page the public declaration pages use.
export function load(): never {
	error(404, 'Not Found');
}
