import { describe, expect, it } from 'vitest';
import { bboxOf, planarArea, validateGeometry, type AreaGeometry } from '../../src/reference/geojson.js';
import { square } from './helpers.js';

const fields = (g: unknown, base?: string) => validateGeometry(g, base).map((e) => e.field);
const reasons = (g: unknown) => validateGeometry(g).map((e) => `${e.field}: ${e.reason}`);

describe('geojson: validateGeometry (pure)', () => {
  it('accepts a Polygon, a Polygon with a hole, a MultiPolygon and 3D positions', () => {
    expect(validateGeometry({ type: 'Polygon', coordinates: [square(87, 43, 1)] })).toEqual([]);
    expect(validateGeometry({ type: 'Polygon', coordinates: [square(87, 43, 1), square(87.2, 43.2, 0.1).reverse()] })).toEqual([]);
    expect(validateGeometry({ type: 'MultiPolygon', coordinates: [[square(87, 43, 1)], [square(84, 44, 0.5)]] })).toEqual([]);
    expect(validateGeometry({ type: 'Polygon', coordinates: [square(87, 43, 1).map(([x, y]) => [x, y, 800])] })).toEqual([]);
    // the extremes of the ranges are allowed
    expect(
      validateGeometry({
        type: 'Polygon',
        coordinates: [
          [
            [-180, -90],
            [180, -90],
            [180, 90],
            [-180, -90],
          ],
        ],
      }),
    ).toEqual([]);
  });

  it('wrong or missing type', () => {
    expect(fields({ type: 'Point', coordinates: [87, 43] })).toEqual(['body/geometry/type']);
    expect(reasons({ type: 'LineString', coordinates: [] })[0]).toContain('must be Polygon or MultiPolygon, got LineString');
    expect(fields({ coordinates: [square(87, 43)] })).toEqual(['body/geometry/type']);
    expect(fields('POLYGON((87 43, ...))')).toEqual(['body/geometry']);
    expect(fields(null)).toEqual(['body/geometry']);
  });

  it('unclosed ring names the ring', () => {
    const ring = square(87, 43)
      .slice(0, 4)
      .concat([[87, 43.005]]);
    expect(fields({ type: 'Polygon', coordinates: [ring] })).toEqual(['body/geometry/coordinates/0']);
    expect(reasons({ type: 'Polygon', coordinates: [ring] })[0]).toMatch(/not closed/);
    // in a MultiPolygon, the second polygon's hole
    const mp = { type: 'MultiPolygon', coordinates: [[square(87, 43)], [square(84, 44, 1), ring]] };
    expect(fields(mp)).toEqual(['body/geometry/coordinates/1/1']);
  });

  it('out-of-range longitude and latitude name the number', () => {
    const lng = square(87, 43);
    lng[2] = [200, 43.01];
    expect(fields({ type: 'Polygon', coordinates: [lng] })).toEqual(['body/geometry/coordinates/0/2/0']);
    expect(reasons({ type: 'Polygon', coordinates: [lng] })[0]).toContain('longitude 200 is outside [-180, 180]');
    const lat = square(87, 43);
    lat[1] = [87.01, -91];
    expect(fields({ type: 'Polygon', coordinates: [lat] })).toEqual(['body/geometry/coordinates/0/1/1']);
  });

  it('too few positions', () => {
    const ring = [
      [87, 43],
      [88, 43],
      [87, 43],
    ];
    expect(fields({ type: 'Polygon', coordinates: [ring] })).toEqual(['body/geometry/coordinates/0']);
    expect(reasons({ type: 'Polygon', coordinates: [ring] })[0]).toContain('at least 4 positions');
    expect(fields({ type: 'Polygon', coordinates: [] })).toEqual(['body/geometry/coordinates']);
    expect(fields({ type: 'MultiPolygon', coordinates: [] })).toEqual(['body/geometry/coordinates']);
    expect(fields({ type: 'MultiPolygon', coordinates: [[]] })).toEqual(['body/geometry/coordinates/0']);
  });

  it('positions must be 2 or 3 finite numbers', () => {
    const bad = (p: unknown) => {
      const ring: unknown[] = square(87, 43);
      ring[1] = p;
      return fields({ type: 'Polygon', coordinates: [ring] });
    };
    expect(bad([87])).toEqual(['body/geometry/coordinates/0/1']);
    expect(bad([87, 43, 1, 2])).toEqual(['body/geometry/coordinates/0/1']);
    expect(bad(['87', 43])).toEqual(['body/geometry/coordinates/0/1/0']);
    expect(bad([87, null])).toEqual(['body/geometry/coordinates/0/1/1']);
    expect(bad({ lng: 87, lat: 43 })).toEqual(['body/geometry/coordinates/0/1']);
    expect(bad(87)).toEqual(['body/geometry/coordinates/0/1']);
  });

  it('zero-area rings are rejected', () => {
    const line = [
      [87, 43],
      [87.5, 43.5],
      [88, 44],
      [87, 43],
    ];
    expect(fields({ type: 'Polygon', coordinates: [line] })).toEqual(['body/geometry/coordinates/0']);
    const point = [
      [87, 43],
      [87, 43],
      [87, 43],
      [87, 43],
    ];
    expect(reasons({ type: 'Polygon', coordinates: [point] })[0]).toMatch(/no area/);
  });

  it('wrong nesting depth is explained', () => {
    // a Polygon given one ring without the ring array around it
    const flat = { type: 'Polygon', coordinates: square(87, 43) };
    expect(fields(flat)[0]).toBe('body/geometry/coordinates/0');
    expect(reasons(flat)[0]).toMatch(/three deep/);
    // a MultiPolygon given Polygon coordinates
    const shallow = { type: 'MultiPolygon', coordinates: [square(87, 43)] };
    expect(fields(shallow)[0]).toBe('body/geometry/coordinates/0/0');
    expect(reasons(shallow)[0]).toMatch(/four deep/);
    // a Polygon given MultiPolygon coordinates
    const deep = { type: 'Polygon', coordinates: [[square(87, 43)]] };
    expect(fields(deep)[0]).toBe('body/geometry/coordinates/0/0');
    expect(reasons(deep)[0]).toMatch(/too deep/);
    // coordinates not an array
    expect(fields({ type: 'Polygon', coordinates: 'x' })).toEqual(['body/geometry/coordinates']);
  });

  it('uses the given base path and caps a hopeless geometry', () => {
    const ring = square(87, 43);
    ring[0] = [500, 43];
    expect(fields({ type: 'Polygon', coordinates: [ring] }, 'body/features/3/geometry')).toContain('body/features/3/geometry/coordinates/0/0/0');
    const junk = { type: 'Polygon', coordinates: [Array.from({ length: 100 }, () => [999, 999])] };
    const errs = validateGeometry(junk);
    expect(errs.length).toBe(21);
    expect(errs[20].reason).toMatch(/more problems/);
  });

  it('measures bbox and planar area (holes subtracted, polygons summed)', () => {
    const g: AreaGeometry = { type: 'Polygon', coordinates: [square(87, 43, 1), square(87.2, 43.2, 0.5)] };
    expect(bboxOf(g)).toEqual({ minLng: 87, minLat: 43, maxLng: 88, maxLat: 44 });
    expect(planarArea(g)).toBeCloseTo(0.75, 10);
    const m: AreaGeometry = { type: 'MultiPolygon', coordinates: [[square(87, 43, 1)], [square(84, 44, 0.5).reverse()]] };
    expect(planarArea(m)).toBeCloseTo(1.25, 10);
    expect(bboxOf(m)).toEqual({ minLng: 84, minLat: 43, maxLng: 88, maxLat: 44.5 });
  });
});
