import express, { type Router } from 'express';
import type { SessionController } from '../accounts/session-controller';
import { InvalidRows } from './org-import-api';
import type { OrgImportService } from './org-import-service';
import { actorRoute, param } from './org-router';

// The organisation in bulk through the API (docs/architecture.md, "Organisation API"): the plan of
// a sheet, the import it starts, its progress, and the tree as the same sheet. Mounted before the
// organisation router: a sheet's rows need a larger body than that router's 64 kB, and only this
// one route reads it.

/** 1,000 rows of seven cells fit with room to spare; a cell over 300 characters is refused anyway. */
export const ORG_IMPORT_BODY_LIMIT = '1mb';

export function createOrgImportRouter(options: {
	sessions: SessionController;
	imports: OrgImportService;
}): Router {
	const { sessions, imports } = options;
	const router = express.Router();

	const withActor = actorRoute(sessions);

	router.post(
		'/units/:id/import',
		express.json({ limit: ORG_IMPORT_BODY_LIMIT }),
		withActor(async (actor, req, res) => {
			try {
				const answer = await imports.submit(actor, param(req, 'id'), req.body);
				res.status(answer.dryRun ? 200 : 202).json(answer);
			} catch (error) {
				if (!(error instanceof InvalidRows)) throw error;
				res.status(error.status).json({ ...error.body, plan: error.plan });
			}
		})
	);
	router.get(
		'/units/:id/import/:importId',
		withActor(async (actor, req, res) => {
			res.json(await imports.view(actor, param(req, 'id'), param(req, 'importId')));
		})
	);
	router.get(
		'/units/:id/org-sheet',
		withActor(async (actor, req, res) => {
			res.json({ rows: await imports.sheet(actor, param(req, 'id')) });
		})
	);
	return router;
}
