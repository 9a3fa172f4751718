-- wrk prints p50/p95 (microseconds) as one JSON line after its summary.
done = function(summary, latency, requests)
  io.write(string.format('{"p50us":%d,"p95us":%d,"requests":%d,"errors":%d}\n', latency:percentile(50), latency:percentile(95), summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
