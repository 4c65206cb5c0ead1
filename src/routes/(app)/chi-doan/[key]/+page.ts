export function load({ params }) {
	return { key: params.key };
}
