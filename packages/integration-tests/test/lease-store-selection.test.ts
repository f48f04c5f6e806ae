/** KCL_IT_STORES: which lease stores the end-to-end tests run with. */
import { ALL_LEASE_STORE_NAMES, selectLeaseStores } from '../src';

describe('selectLeaseStores (KCL_IT_STORES)', () => {
  test('unset or blank: every store', () => {
    expect(selectLeaseStores(undefined)).toEqual(ALL_LEASE_STORE_NAMES);
    expect(selectLeaseStores(' ')).toEqual(['dynamodb', 'redis']);
  });

  test('a list: those stores, in the usual order, spaces and repeats ignored', () => {
    expect(selectLeaseStores('redis')).toEqual(['redis']);
    expect(selectLeaseStores(' redis , dynamodb,redis')).toEqual(['dynamodb', 'redis']);
  });

  test('an unknown name fails loudly instead of running nothing', () => {
    expect(() => selectLeaseStores('redis,mongo')).toThrow(/unknown lease store\(s\) mongo/);
  });
});
