// The screens a secretary opens offline (docs/decisions/0024-offline-ready-and-progress.md), shared
// by the build's chunking (scripts/sw/critical-chunks.ts, from vite.config.ts) and the worker's
// precache sets (scripts/sw/precache-sets.ts). Each pattern matches a route file's path, as it
// appears in SvelteKit's generated client nodes and in module ids.

/**
 * The first screen of a first visit, sign-in, and what wraps every app screen: the app's layout,
 * error page, home redirect and unknown-address page. Their code is loaded before the sign-in form
 * shows anyway.
 */
export const SIGN_IN_ROUTES = [
	/src\/routes\/\(app\)\/\+(layout|error|page)\.svelte/,
	/src\/routes\/\(app\)\/\[\.\.\.rest\]\//,
	/src\/routes\/\(app\)\/dang-nhap\/\+page/
];

/**
 * The other screens used offline: the roster, a member's profile, the forms to add and edit a
 * member (a secretary's daily work, done where there is no signal), the account screen.
 */
export const OFFLINE_SCREENS = [
	/src\/routes\/\(app\)\/doan-vien\/\+page/,
	/src\/routes\/\(app\)\/doan-vien\/\[key\]\/(sua\/)?\+page/,
	/src\/routes\/\(app\)\/doan-vien\/moi\/\+page/,
	/src\/routes\/\(app\)\/tai-khoan\/\+page/
];

/**
 * The root layout and error page: every page's, the members' public declaration page (/khai)
 * included, so their code is the declaration page's too.
 */
export const ROOT_ROUTES = [/src\/routes\/\+layout\.svelte/, /src\/routes\/\+error\.svelte/];

/** Every route of the offline core: the worker's critical set holds their nodes. */
export const CRITICAL_ROUTES = [...ROOT_ROUTES, ...SIGN_IN_ROUTES, ...OFFLINE_SCREENS];

/**
 * Code those screens load lazily but cannot open without: the sync engine (started with every
 * signed-in screen; offline it still opens the device's databases).
 */
export const CRITICAL_LAZY = [/src\/lib\/data\/sync\/engine-chunk\.ts$/];
