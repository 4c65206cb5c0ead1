// Under Vitest the browser build of PouchDB fails ("self is not defined"): the client data layer
// imports 'pouchdb-browser', which the test config aliases here, to the same core with Node adapters.
import PouchDB from 'pouchdb-core';
import memory from 'pouchdb-adapter-memory';
import http from 'pouchdb-adapter-http';
import replication from 'pouchdb-replication';
import mapreduce from 'pouchdb-mapreduce';

PouchDB.plugin(memory).plugin(http).plugin(replication).plugin(mapreduce);

// Tests open "IndexedDB" databases by name; in Node they live in memory.
export default PouchDB.defaults({
	adapter: 'memory'
} as PouchDB.Configuration.DatabaseConfiguration);
