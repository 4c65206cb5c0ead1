export function load({ params }) {
	return { bulk: params.bulk };
}
