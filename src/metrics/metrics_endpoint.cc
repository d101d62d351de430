// GET /metrics on a listener of its own.
#include <fcntl.h>
#include <httplib.h>
#include <sys/socket.h>
#include <spdlog/spdlog.h>

#include "http/json_http.h"
#include "http/listen_address.h"
#include "metrics/metrics.h"

namespace reel {

struct MetricsEndpoint::Impl {
  httplib::Server server;
  std::thread thread;
  int port = 0;
};

MetricsEndpoint::MetricsEndpoint(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MetricsEndpoint::~MetricsEndpoint() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int MetricsEndpoint::port() const { return impl_->port; }

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(const std::string& listen,
                                                                Metrics* metrics) {
  REEL_ASSIGN_OR_RETURN(ListenAddress where, ParseListenAddress(listen));
  auto impl = std::make_unique<Impl>();
  impl->server.new_task_queue = [] { return new httplib::ThreadPool(2); };
  // Not httplib's default SO_REUSEPORT: a second process must not share the port.
  impl->server.set_socket_options([](socket_t sock) {
    ::fcntl(sock, F_SETFD, FD_CLOEXEC);
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  impl->server.Get("/metrics", [metrics](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics->Scrape(), "text/plain; version=0.0.4; charset=utf-8");
  });
  if (where.port == 0) {
    impl->port = impl->server.bind_to_any_port(where.host);
  } else if (impl->server.bind_to_port(where.host, where.port)) {
    impl->port = where.port;
  }
  if (impl->port <= 0) {
    return Status::Unavailable("metrics: cannot listen on " + listen +
                               " (in use, or not an address of this machine)");
  }
  REEL_RETURN_IF_ERROR(http::ServeInBackground(impl->server, impl->thread).WithContext("metrics"));
  if (!IsLoopbackHost(where.host)) {
    spdlog::warn("metrics: serving on {}, reachable from other machines (no token needed)", listen);
  }
  spdlog::info("metrics on http://{}:{}/metrics", where.host, impl->port);
  return std::unique_ptr<MetricsEndpoint>(new MetricsEndpoint(std::move(impl)));
}

}  // namespace reel
