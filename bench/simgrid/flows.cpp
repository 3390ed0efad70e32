// SimGrid (S4U) run of a set of flows over links, the reference pullsim's flow-level network is checked
// and timed against (bench/simgrid.ts builds and drives it; it is not part of pullsim itself).
//
//   g++ -O2 -o flows bench/simgrid/flows.cpp $(pkg-config --cflags --libs simgrid)
//   ./flows [--cfg=network/model:CM02 ...] < problem.txt
//
// Input, whitespace-separated: `links K`, then K lines `bandwidth_Bps latency_s`; `flows M`, then M lines
// `start_s bytes L link_1 … link_L` (link ids 0-based, a path crosses each link at most once). Each flow
// runs from a source host of its own to a destination host of its own in one star zone, the source's
// route being the flow's path, so the links a flow shares are exactly the ones listed. The network model
// and its knobs are SimGrid's own --cfg options, given on the command line.
//
// Output, one JSON line: `seconds` (the simulation's wall time, platform set-up included, by a steady
// clock here), `makespan`, `simgrid` (the library's version), `times` (each flow's finish time, %.17g,
// in input order).
#include <simgrid/s4u.hpp>
#include <simgrid/version.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace sg4 = simgrid::s4u;

struct Flow {
  double start;
  uint64_t bytes;
  std::vector<long> path;
};

static int bad(const char* what)
{
  std::fprintf(stderr, "flows: bad input: %s\n", what);
  return 2;
}

int main(int argc, char** argv)
{
  sg4::Engine engine(&argc, argv);
  std::string word;
  long nLinks = 0;
  long nFlows = 0;
  if (!(std::cin >> word >> nLinks) || word != "links" || nLinks < 0)
    return bad("expected `links K`");
  std::vector<std::pair<double, double>> links(nLinks);
  for (auto& l : links)
    if (!(std::cin >> l.first >> l.second) || !(l.first > 0) || !(l.second >= 0))
      return bad("a link is `bandwidth_Bps latency_s`, bandwidth > 0, latency >= 0");
  if (!(std::cin >> word >> nFlows) || word != "flows" || nFlows < 0)
    return bad("expected `flows M`");
  std::vector<Flow> flows(nFlows);
  for (auto& f : flows) {
    long len = 0;
    if (!(std::cin >> f.start >> f.bytes >> len) || !(f.start >= 0) || len < 0)
      return bad("a flow is `start_s bytes L link_1 ... link_L`");
    f.path.resize(len);
    for (auto& l : f.path)
      if (!(std::cin >> l) || l < 0 || l >= nLinks)
        return bad("a flow's link id is out of range");
  }

  const auto started = std::chrono::steady_clock::now();
  auto* zone = sg4::create_star_zone("world");
  std::vector<const sg4::Link*> made(nLinks);
  for (long i = 0; i < nLinks; i++)
    made[i] = zone->create_link("l" + std::to_string(i), links[i].first)->set_latency(links[i].second)->seal();
  std::vector<sg4::Host*> src(nFlows);
  std::vector<sg4::Host*> dst(nFlows);
  for (long j = 0; j < nFlows; j++) {
    src[j] = zone->create_host("s" + std::to_string(j), 1e9);
    dst[j] = zone->create_host("d" + std::to_string(j), 1e9);
    std::vector<sg4::LinkInRoute> route;
    for (long l : flows[j].path)
      route.emplace_back(made[l]);
    // Symmetrical: the way back (a model with cross-traffic sends the ACKs there) is the same links.
    zone->add_route(src[j]->get_netpoint(), nullptr, nullptr, nullptr, route, true);
    zone->add_route(dst[j]->get_netpoint(), nullptr, nullptr, nullptr, {}, true);
  }
  zone->seal();

  // One actor per flow, on the flow's source host: it sleeps until the start time, sends, and notes the
  // clock when the send returns (the finish time). (A single actor waiting on all the comms would see a
  // finish only when its wait reaches that comm.)
  std::vector<double> finished(nFlows, -1);
  for (long j = 0; j < nFlows; j++)
    sg4::Actor::create("flow" + std::to_string(j), src[j], [&, j] {
      if (flows[j].start > 0)
        sg4::this_actor::sleep_until(flows[j].start);
      sg4::Comm::sendto(src[j], dst[j], flows[j].bytes);
      finished[j] = sg4::Engine::get_clock();
    });
  engine.run();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  int major = 0, minor = 0, patch = 0;
  sg_version_get(&major, &minor, &patch);
  std::printf("{\"seconds\":%.6f,\"makespan\":%.17g,\"simgrid\":\"%d.%d.%d\",\"times\":[", seconds,
              sg4::Engine::get_clock(), major, minor, patch);
  for (long j = 0; j < nFlows; j++)
    std::printf("%s%.17g", j ? "," : "", finished[j]);
  std::printf("]}\n");
  return 0;
}
