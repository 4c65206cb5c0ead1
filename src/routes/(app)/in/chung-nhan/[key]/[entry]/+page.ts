export function load({ params }) {
	return { key: params.key, entry: params.entry };
}
