// electron-builder.yml against electron-builder 26's own schema (app-builder-lib/scheme.json, validated by the
// ajv and the validator app-builder-lib ships), so a misspelt key fails here rather than on a release
// machine; and the security-relevant values: the fuses, the generic feed, signing from the environment.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.js';

const builderRequire = createRequire(createRequire(path.join(REPO, 'package.json')).resolve('app-builder-lib/package.json'));
const yaml = builderRequire('js-yaml') as { load(text: string): unknown };
const scheme = builderRequire('./scheme.json') as object;
const { validateSchema } = builderRequire('./out/util/config/schemaValidator.js') as { validateSchema(s: object, c: unknown): void };
const { validateConfiguration } = builderRequire('./out/util/config/config.js') as {
  validateConfiguration(c: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = builderRequire('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
const { expandMacro } = builderRequire('./out/util/macroExpander.js') as {
  expandMacro(pattern: string, arch: string | null, appInfo: object): string;
};
const Ajv = builderRequire('ajv').default as new (o: object) => {
  compile(s: object): ((d: unknown) => boolean) & { errors?: Array<{ instancePath: string; keyword: string; params: Record<string, unknown> }> };
};

type Yml = Record<string, any>;
const load = (): Yml => yaml.load(readFileSync(path.join(REPO, 'electron-builder.yml'), 'utf8')) as Yml;
// Strict: no type coercion, every error reported, so a wrong key is named by its path.
const strict = new Ajv({ allErrors: true, strict: false }).compile(scheme);
const problems = (config: unknown): string[] =>
  strict(config) ? [] : (strict.errors ?? []).filter((e) => e.keyword === 'additionalProperties' || e.keyword === 'type' || e.keyword === 'required').map((e) => `${e.instancePath} ${e.keyword} ${JSON.stringify(e.params)}`);

describe('electron-builder.yml', () => {
  it('matches electron-builder 26’s schema (the validator electron-builder itself runs)', async () => {
    const config = load();
    expect(() => validateSchema(scheme, structuredClone(config))).not.toThrow();
    await expect(validateConfiguration(structuredClone(config), new DebugLogger(false))).resolves.toBeUndefined();
    expect(problems(config)).toEqual([]);
  });

  it.each([
    ['a misspelt fuse', (c: Yml) => (c.electronFuses.grantFileProtocolExtraPrivilege = false), '/electronFuses'],
    ['a misspelt mac key', (c: Yml) => (c.mac.notarise = true), '/mac'],
    ['a misspelt top-level key', (c: Yml) => (c.generateUpdateFilesForAllChannels = true), ''],
    ['a wrong type', (c: Yml) => (c.mac.hardenedRuntime = 'yes'), '/mac/hardenedRuntime'],
    ['a provider option it does not have', (c: Yml) => (c.publish.bucket = 'x'), '/publish'],
  ])('would fail on %s (the check bites)', async (_what, spoil, at) => {
    const config = load();
    spoil(config);
    expect(problems(config).some((p) => p.startsWith(`${at} `))).toBe(true);
    expect(() => validateSchema(scheme, structuredClone(config))).toThrow(/Invalid configuration object/);
  });

  it('turns the grantFileProtocolExtraPrivileges fuse off and keeps the others hardened', () => {
    expect(load().electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('publishes to a generic feed whose URL and channel come from the environment', () => {
    const c = load();
    expect(c.publish).toEqual({ provider: 'generic', url: '${env.GUARDIAN_UPDATE_URL}', channel: '${env.GUARDIAN_RELEASE_CHANNEL}' });
    expect(c.generateUpdatesFilesForAllChannels).toBe(true);
    // electron-builder's own macro expansion: set → the value; unset → the build stops naming the variable.
    const saved = process.env.GUARDIAN_UPDATE_URL;
    try {
      process.env.GUARDIAN_UPDATE_URL = 'https://updates.example/guardian';
      expect(expandMacro(c.publish.url, null, {})).toBe('https://updates.example/guardian');
      delete process.env.GUARDIAN_UPDATE_URL;
      expect(() => expandMacro(c.publish.url, null, {})).toThrow(/env GUARDIAN_UPDATE_URL is not defined/);
    } finally {
      if (saved === undefined) delete process.env.GUARDIAN_UPDATE_URL;
      else process.env.GUARDIAN_UPDATE_URL = saved;
    }
  });

  it('signs from the environment only: no certificate, password or Apple credential in the file', () => {
    const c = load();
    const text = readFileSync(path.join(REPO, 'electron-builder.yml'), 'utf8');
    expect(c.win.signtoolOptions).toEqual({ signingHashAlgorithms: ['sha256'], rfc3161TimeStampServer: 'http://timestamp.digicert.com' });
    expect(c.win.cscLink ?? c.win.cscKeyPassword ?? c.win.signtoolOptions.certificateFile ?? c.win.signtoolOptions.certificatePassword).toBeUndefined();
    expect(c.mac).toMatchObject({ hardenedRuntime: true, notarize: true, entitlements: 'resources/entitlements.mac.plist' });
    expect(c.linux.target).toEqual(['AppImage', 'deb']);
    for (const v of ['CSC_LINK', 'CSC_KEY_PASSWORD', 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID', 'AZURE_CLIENT_SECRET'])
      expect(text).toContain(v); // documented where it is used
    expect(text).not.toMatch(/password:\s*\S/i);
  });

  it('accepts the documented Azure Trusted Signing options, and refuses them incomplete', () => {
    const c = load();
    c.win.azureSignOptions = {
      endpoint: 'https://eus.codesigning.azure.net',
      codeSigningAccountName: 'ACCOUNT',
      certificateProfileName: 'PROFILE',
      publisherName: 'CN=Example Org',
    };
    expect(problems(c)).toEqual([]);
    delete c.win.azureSignOptions.endpoint;
    expect(problems(c).some((p) => p.startsWith('/win/azureSignOptions required'))).toBe(true);
  });

  it('has a minimal hardened-runtime entitlements file (JIT only)', () => {
    const plist = readFileSync(path.join(REPO, 'resources', 'entitlements.mac.plist'), 'utf8');
    expect(plist).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<!DOCTYPE plist/);
    expect([...plist.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1])).toEqual(['com.apple.security.cs.allow-jit']);
  });

  it('has npm run dist scripts that build first (renderer, main and the standalone template) and never publish from a laptop', () => {
    const scripts = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.build).toBe('electron-vite build && tsx scripts/build-standalone-template.ts');
    expect(scripts.dist).toBe('npm run build && electron-builder --publish never');
    for (const os of ['linux', 'win', 'mac']) expect(scripts[`dist:${os}`]).toBe(`npm run build && electron-builder --${os} --publish never`);
  });
});
