// Every screen renders on the device (docs/decisions/0001-rendering-mode.md).
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';
