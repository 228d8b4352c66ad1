import { describe, expect, it } from 'vitest';
import { SpatialIndex, type AreaInput } from '../../src/jurisdiction/spatial-index.js';
import { distanceToRingsMeters, flatRing, haversineMeters } from '../../src/jurisdiction/geo.js';
import { box } from './fixture.js';

const area = (
  id: string,
  side: 'region' | 'corps',
  kind: AreaInput['kind'],
  coordinates: unknown,
  type: 'Polygon' | 'MultiPolygon' = 'Polygon',
): AreaInput => ({
  id,
  side,
  agencyCode: id.toUpperCase(),
  kind,
  geometry: { type, coordinates },
});

describe('spatial index', () => {
  const idx = new SpatialIndex([
    area('r', 'region', 'jurisdiction', [box(0, 0, 1, 1)]),
    area('r-small', 'region', 'jurisdiction', [box(0.5, 0.5, 0.9, 0.9)]),
    area('g', 'region', 'grid', [box(0.1, 0.1, 0.3, 0.3)]),
    area('c', 'corps', 'jurisdiction', [[box(1, 0, 2, 1)], [box(3, 0, 4, 1), box(3.4, 0.4, 3.6, 0.6)]], 'MultiPolygon'),
    area('p', 'corps', 'protected', [box(0.6, 0.1, 0.7, 0.2)]),
  ]);

  it('finds the containing area through its bounding box and the exact test', () => {
    expect(idx.resolve(0.2, 0.05, 0).areaId).toBe('r');
    expect(idx.resolve(5, 5, 0).areaId).toBeNull();
  });

  it('a grid beats a jurisdiction and the smaller of two jurisdictions wins', () => {
    const g = idx.resolve(0.2, 0.2, 0);
    expect(g).toMatchObject({ areaId: 'g', gridId: 'g', agencyCode: 'G', side: 'region' });
    expect(g.containing.map((a) => a.id)).toEqual(['g', 'r']);
    expect(idx.resolve(0.7, 0.7, 0)).toMatchObject({ areaId: 'r-small', gridId: null });
  });

  it('handles MultiPolygon parts and holes', () => {
    expect(idx.resolve(0.5, 1.5, 0).areaId).toBe('c');
    expect(idx.resolve(0.2, 3.2, 0).areaId).toBe('c');
    expect(idx.resolve(0.5, 3.5, 0).areaId).toBeNull(); // in the hole
  });

  it('protected areas own nothing and do not make a place joint', () => {
    const r = idx.resolve(0.15, 0.65, 0);
    expect(r.areaId).toBe('r');
    expect(r.containing.map((a) => a.id)).toContain('p');
    expect(r.joint).toBe(false);
    expect(r.neighbours).toEqual([]);
  });

  it('a point on an edge counts as inside', () => {
    expect(idx.resolve(0, 0.5, 0).areaId).toBe('r');
  });

  it('is joint when the other side is within the buffer, with distances in metres', () => {
    // 0.005° of longitude at the equator ≈ 556 m from the seam at lng 1
    const r = idx.resolve(0.5, 0.995, 1000);
    expect(r.areaId).toBe('r');
    expect(r.joint).toBe(true);
    expect(r.neighbours).toHaveLength(1);
    expect(r.neighbours[0]).toMatchObject({ areaId: 'c', side: 'corps' });
    expect(r.neighbours[0].distanceMeters).toBeCloseTo(haversineMeters(0.5, 0.995, 0.5, 1), -1);
    expect(idx.resolve(0.5, 0.985, 1000).joint).toBe(false); // ≈ 1668 m
  });

  it('a point inside areas of both sides is joint', () => {
    const both = new SpatialIndex([area('r', 'region', 'jurisdiction', [box(0, 0, 1, 1)]), area('cg', 'corps', 'grid', [box(0.4, 0.4, 0.5, 0.5)])]);
    const r = both.resolve(0.45, 0.45, 0);
    expect(r).toMatchObject({ side: 'corps', areaId: 'cg', gridId: 'cg', joint: true });
    expect(r.neighbours).toEqual([{ side: 'region', agencyCode: 'R', areaId: 'r', kind: 'jurisdiction', distanceMeters: 0 }]);
  });

  it('point-to-polygon distance matches haversine at Xinjiang latitudes', () => {
    const ring = flatRing(box(86.1, 44.0, 86.2, 44.1));
    const d = distanceToRingsMeters(86.09, 44.05, [ring]);
    expect(Math.abs(d - haversineMeters(44.05, 86.09, 44.05, 86.1))).toBeLessThan(1);
  });

  it('skips unreadable geometry instead of failing', () => {
    const bad = new SpatialIndex([
      area('ok', 'region', 'grid', [box(0, 0, 1, 1)]),
      { ...area('bad', 'region', 'grid', null), geometry: { type: 'Polygon', coordinates: [[[0, 0]]] } },
    ]);
    expect(bad.skipped).toEqual(['bad']);
    expect(bad.resolve(0.5, 0.5, 0).areaId).toBe('ok');
    expect(new SpatialIndex([]).resolve(0, 0, 1000)).toMatchObject({ side: null, joint: false, neighbours: [] });
  });
});
