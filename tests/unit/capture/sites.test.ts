// The sites of the settings: how a listed entry reads, the webRequest filter it becomes, what it covers.
import { describe, expect, it } from 'vitest';
import { hostOf, siteHost, siteHosts, siteMatcher, sitePatterns } from '../../../src/capture/sites';

describe('siteHost', () => {
  it.each([
    ['example.com', 'example.com'],
    ['  API.Example.COM  ', 'api.example.com'],
    ['https://api.example.com/v1/users?x=1', 'api.example.com'],
    ['api.example.com:8443', 'api.example.com'],
    ['http://user:pw@api.example.com:8080/', 'api.example.com'],
    ['*.example.com', 'example.com'],
    ['example.com.', 'example.com'],
    ['localhost', 'localhost'],
    ['127.0.0.1:8102', '127.0.0.1'],
    ['[::1]:8080', '[::1]'],
    ['http://[2001:db8::1]/x', '[2001:db8::1]'],
  ])('%s → %s', (entry, host) => {
    expect(siteHost(entry)).toBe(host);
  });

  it.each(['', '   ', 'exa mple.com', 'ex<ample>.com', '*', 'http://', '@@'])(
    '"%s" is not a host',
    (entry) => {
      expect(siteHost(entry)).toBeNull();
    },
  );

  it('a list: distinct hosts in order, the rest left out', () => {
    expect(siteHosts(['b.test', 'nope nope', 'https://a.test/x', 'B.test'])).toEqual(['b.test', 'a.test']);
  });
});

describe('sitePatterns', () => {
  it('names cover their subdomains; addresses stand alone; every scheme and port', () => {
    expect(sitePatterns(['example.com', 'localhost', '127.0.0.1', '[::1]', 'not a host'])).toEqual([
      '*://*.example.com/*',
      '*://*.localhost/*',
      '*://127.0.0.1/*',
      '*://[::1]/*',
    ]);
    expect(sitePatterns([])).toEqual([]);
  });
});

describe('siteMatcher', () => {
  const listed = siteMatcher(['example.com', '127.0.0.1']);

  it.each([
    ['https://example.com/a', true],
    ['http://api.example.com:8080/a', true],
    ['wss://live.example.com/socket', true],
    ['https://notexample.com/', false],
    ['https://example.com.evil.test/', false],
    ['http://127.0.0.1:8102/s/1', true],
    ['http://127.0.0.2/', false],
    ['https://example.org', false],
    ['null', false],
  ])('%s: %s', (url, covered) => {
    expect(listed(url)).toBe(covered);
  });

  it('an empty list covers nothing; an origin reads as a URL', () => {
    expect(siteMatcher([])('https://example.com/')).toBe(false);
    expect(hostOf('http://a.test:81')).toBe('a.test');
    expect(hostOf('null')).toBe('null');
    expect(siteMatcher(['null'])('null')).toBe(true);
  });
});
