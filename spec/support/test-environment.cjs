/**
 * Jest's node environment, which also switches off, when a spec file ends, the AsyncLocalStorage
 * jest's runner made for it.
 *
 * Jest 30's runner (jest-circus) keeps "the test now running" in an AsyncLocalStorage, a new one
 * for every spec file a worker runs, and never disables it. On Node 20 and 22 every promise created
 * anywhere in the worker (the client, the emulator, the host, the spec) then visits every such
 * storage ever made: a worker's tenth file pays for ten. Profiled over the whole suite in one
 * process (December 2026), that walk was about 6 of the 87 CPU-seconds, with more garbage on top.
 * (Node 24 keeps the context in the promise itself: no walk.)
 *
 * Once its file has ended nothing reads a file's storage, so disabling it changes no answer jest
 * gets: each file still has its own, working exactly as jest made it, while its tests run.
 */
const asyncHooks = require('node:async_hooks');
const { TestEnvironment } = require('jest-environment-node');

/** The storages jest-circus made in this worker and has not yet had disabled. */
const circusStorages = new Set();
const CIRCUS = /[\\/]jest-circus[\\/]/;

if (!asyncHooks.AsyncLocalStorage.circusStoragesDisabledPerFile) {
  asyncHooks.AsyncLocalStorage = new Proxy(asyncHooks.AsyncLocalStorage, {
    construct(target, args, newTarget) {
      const storage = Reflect.construct(target, args, newTarget);
      // Which module asks: the stack of the `new`, taken once per spec file.
      if (CIRCUS.test(new Error().stack ?? '')) circusStorages.add(storage);
      return storage;
    },
    get(target, key, receiver) {
      return key === 'circusStoragesDisabledPerFile' ? true : Reflect.get(target, key, receiver);
    },
  });
}

class PartnerCenterTestEnvironment extends TestEnvironment {
  async teardown() {
    for (const storage of circusStorages) storage.disable();
    circusStorages.clear();
    await super.teardown();
  }
}

module.exports = PartnerCenterTestEnvironment;
module.exports.TestEnvironment = PartnerCenterTestEnvironment;
