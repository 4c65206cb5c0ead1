export function load({ params }) {
	return { scope: params.scope };
}
