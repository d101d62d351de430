// Forwarding to NATS JetStream (libnats): asynchronous publishes, then a wait for every ack.
#include <nats/nats.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>

#include "forward/forward_uri.h"

namespace reel::forward_internal {

namespace {

constexpr int64_t kAckWaitMs = 10'000;

// The library's last error on this thread says more than the status ("Error").
Status NatsError(natsStatus s, const std::string& what) {
  natsStatus last = NATS_OK;
  const char* text = nats_GetLastError(&last);
  return Status::Unavailable(what + ": " +
                             (text != nullptr && *text != '\0' ? text : natsStatus_GetText(s)));
}

class NatsSink final : public EventSink {
 public:
  NatsSink(std::string prefix, std::string servers) : prefix_(std::move(prefix)),
                                                      servers_(std::move(servers)) {}
  ~NatsSink() override {
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (nc_ != nullptr) {
      natsConnection_Close(nc_);
      natsConnection_Destroy(nc_);
    }
    if (opts_ != nullptr) natsOptions_Destroy(opts_);
  }

  Status Connect(const std::vector<std::string>& hosts, const std::string& stream) {
    std::vector<std::string> urls;
    for (const std::string& h : hosts) urls.push_back("nats://" + h);
    std::vector<const char*> ptrs;
    for (const std::string& u : urls) ptrs.push_back(u.c_str());
    natsStatus s = natsOptions_Create(&opts_);
    if (s == NATS_OK) s = natsOptions_SetServers(opts_, ptrs.data(), static_cast<int>(ptrs.size()));
    if (s == NATS_OK) s = natsOptions_SetTimeout(opts_, 5000);
    // Reconnects forever; publishes made meanwhile are buffered and their acks waited for.
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts_, -1);
    if (s == NATS_OK) s = natsOptions_SetName(opts_, "reel-forward");
    if (s != NATS_OK) return NatsError(s, "NATS options");
    s = natsConnection_Connect(&nc_, opts_);
    if (s != NATS_OK) return NatsError(s, "connect to NATS at " + servers_);
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = kAckWaitMs;
    jo.PublishAsync.MaxPending = 4096;
    jo.PublishAsync.ErrHandler = &NatsSink::OnFailed;
    jo.PublishAsync.ErrHandlerClosure = this;
    s = natsConnection_JetStream(&js_, nc_, &jo);
    if (s != NATS_OK) return NatsError(s, "JetStream context");
    if (!stream.empty()) REEL_RETURN_IF_ERROR(EnsureStream(stream));
    return Status::Ok();
  }

  Status Deliver(std::span<const OutgoingEvent> events) override {
    failed_.store(0);
    for (const OutgoingEvent& e : events) {
      const std::string subject = Subject(e);
      natsMsg* msg = nullptr;
      natsStatus s = natsMsg_Create(&msg, subject.c_str(), nullptr, e.body.data(),
                                    static_cast<int>(e.body.size()));
      if (s == NATS_OK) s = natsMsgHeader_Set(msg, "Nats-Msg-Id", e.id.c_str());
      if (s == NATS_OK) s = js_PublishMsgAsync(js_, &msg, nullptr);
      natsMsg_Destroy(msg);  // nothing when the library took it
      if (s != NATS_OK) {
        Abandon();
        return NatsError(s, "publish event " + e.id + " to " + subject);
      }
    }
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = kAckWaitMs;
    natsStatus s = js_PublishAsyncComplete(js_, &po);
    if (s != NATS_OK) {
      Abandon();
      return NatsError(s, "wait for JetStream's acks");
    }
    if (failed_.load() > 0) {
      std::lock_guard<std::mutex> lock(mu_);
      return Status::Unavailable(std::to_string(failed_.load()) +
                                 " events were not acknowledged by JetStream: " + last_error_);
    }
    return Status::Ok();
  }

  std::string Describe() const override { return "NATS JetStream " + servers_ + " " + prefix_; }

 private:
  static void OnFailed(jsCtx*, jsPubAckErr* pae, void* closure) {
    auto* self = static_cast<NatsSink*>(closure);
    self->failed_.fetch_add(1);
    std::lock_guard<std::mutex> lock(self->mu_);
    self->last_error_ = pae->ErrText != nullptr ? pae->ErrText : natsStatus_GetText(pae->Err);
    if (pae->Err == NATS_NO_RESPONDERS) {
      self->last_error_ = "no stream takes subject " +
                          std::string(natsMsg_GetSubject(pae->Msg)) +
                          " (create one, or give the URI ?stream=NAME)";
    }
  }

  // Publishes still waiting for an ack are given up: the batch is delivered again.
  void Abandon() {
    natsMsgList pending;
    if (js_PublishAsyncGetPendingList(&pending, js_) == NATS_OK) natsMsgList_Destroy(&pending);
  }

  std::string Subject(const OutgoingEvent& e) const {
    std::string ws = e.workspace.empty() ? "_" : e.workspace;
    for (char& c : ws) {
      if (c == '.') c = '_';
    }
    return prefix_ + "." + ws + "." + e.kind;
  }

  Status EnsureStream(const std::string& name) {
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = js_GetStreamInfo(&si, js_, name.c_str(), nullptr, &jerr);
    if (s == NATS_OK) {
      jsStreamInfo_Destroy(si);
      return Status::Ok();
    }
    if (s != NATS_NOT_FOUND) return NatsError(s, "look up JetStream stream " + name);
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = name.c_str();
    const std::string all = prefix_ + ".>";
    const char* subjects[] = {all.c_str()};
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    s = js_AddStream(&si, js_, &cfg, nullptr, &jerr);
    if (s != NATS_OK) return NatsError(s, "create JetStream stream " + name + " over " + all);
    jsStreamInfo_Destroy(si);
    spdlog::info("forward: created JetStream stream {} over {}", name, all);
    return Status::Ok();
  }

  const std::string prefix_;
  const std::string servers_;
  natsOptions* opts_ = nullptr;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  std::atomic<int> failed_{0};  // publishes of the current batch JetStream refused
  std::mutex mu_;               // guards last_error_
  std::string last_error_;
};

}  // namespace

Result<std::unique_ptr<EventSink>> OpenNatsSink(const ForwardUri& uri) {
  auto subject = uri.options.find("subject");
  auto stream = uri.options.find("stream");
  std::string servers;
  for (const std::string& h : uri.hosts) servers += (servers.empty() ? "" : ",") + h;
  auto sink = std::make_unique<NatsSink>(
      subject == uri.options.end() ? kDefaultNatsSubject : subject->second, servers);
  REEL_RETURN_IF_ERROR(sink->Connect(uri.hosts, stream == uri.options.end() ? "" : stream->second));
  return std::unique_ptr<EventSink>(std::move(sink));
}

}  // namespace reel::forward_internal
