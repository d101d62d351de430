// Forwarding to Kafka (librdkafka): an idempotent producer, flushed and checked per batch.
#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include "forward/forward_uri.h"

namespace reel::forward_internal {

namespace {

constexpr int kDeliveryTimeoutMs = 10'000;

class KafkaSink final : public EventSink {
 public:
  KafkaSink(std::string brokers, std::string topic)
      : brokers_(std::move(brokers)), topic_(std::move(topic)) {}
  ~KafkaSink() override { Close(); }

  Status Connect() {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    const std::pair<const char*, std::string> settings[] = {
        {"bootstrap.servers", brokers_},
        {"enable.idempotence", "true"},  // acks=all, no duplicates or reordering from retries
        {"message.timeout.ms", std::to_string(kDeliveryTimeoutMs)},
        {"linger.ms", "5"},
        {"client.id", "reel-forward"},
    };
    for (const auto& [key, value] : settings) {
      if (rd_kafka_conf_set(conf, key, value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return Status::InvalidArgument(std::string("Kafka setting ") + key + ": " + err);
      }
    }
    rd_kafka_conf_set_dr_msg_cb(conf, &KafkaSink::OnDelivered);
    rd_kafka_conf_set_log_cb(conf, &KafkaSink::OnLog);
    rd_kafka_conf_set_opaque(conf, this);
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);  // owns conf when it succeeds
    if (rk_ == nullptr) {
      rd_kafka_conf_destroy(conf);
      return Status::Unavailable(std::string("Kafka producer: ") + err);
    }
    return Status::Ok();
  }

  Status Deliver(std::span<const OutgoingEvent> events) override {
    if (rk_ == nullptr) REEL_RETURN_IF_ERROR(Connect());
    failed_ = 0;
    last_error_.clear();
    for (const OutgoingEvent& e : events) {
      rd_kafka_resp_err_t err;
      while (true) {
        err = rd_kafka_producev(
            rk_, RD_KAFKA_V_TOPIC(topic_.c_str()),
            RD_KAFKA_V_KEY(e.workspace.data(), e.workspace.size()),
            RD_KAFKA_V_VALUE(const_cast<char*>(e.body.data()), e.body.size()),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_HEADER("reel-event-id", e.id.data(), static_cast<ssize_t>(e.id.size())),
            RD_KAFKA_V_END);
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
        rd_kafka_poll(rk_, 100);  // room is made as deliveries are reported
      }
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Failed("produce event " + e.id + ": " + rd_kafka_err2str(err));
      }
    }
    const rd_kafka_resp_err_t flushed = rd_kafka_flush(rk_, kDeliveryTimeoutMs + 5000);
    if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Failed(std::string("wait for Kafka's acks: ") + rd_kafka_err2str(flushed));
    }
    if (failed_ > 0) {
      return Failed(std::to_string(failed_) + " events were not acknowledged by Kafka: " +
                    last_error_);
    }
    return Status::Ok();
  }

  std::string Describe() const override { return "Kafka " + brokers_ + " topic " + topic_; }

 private:
  // Called from rd_kafka_poll / rd_kafka_flush on the delivering thread.
  static void OnDelivered(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    auto* self = static_cast<KafkaSink*>(opaque);
    ++self->failed_;
    self->last_error_ = rd_kafka_err2str(m->err);
  }

  // librdkafka's own log lines (syslog levels) into the server's log.
  static void OnLog(const rd_kafka_t*, int level, const char* facility, const char* message) {
    const auto lvl = level <= 3 ? spdlog::level::err
                     : level <= 4 ? spdlog::level::warn
                     : level <= 6 ? spdlog::level::info
                                  : spdlog::level::debug;
    spdlog::log(lvl, "forward: kafka {}: {}", facility, message);
  }

  // After a fatal error (an idempotent producer that lost its guarantees) the producer is made
  // anew at the next batch; otherwise it is kept, and its queue is purged so the batch is
  // delivered again from the start.
  Status Failed(const std::string& why) {
    char fatal[256];
    if (rd_kafka_fatal_error(rk_, fatal, sizeof fatal) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      Close();
      return Status::Unavailable(why + " (fatal: " + fatal + "; the producer is made anew)");
    }
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(rk_, 0);
    return Status::Unavailable(why);
  }

  void Close() {
    if (rk_ == nullptr) return;
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_destroy(rk_);
    rk_ = nullptr;
  }

  const std::string brokers_;
  const std::string topic_;
  rd_kafka_t* rk_ = nullptr;
  // Of the current batch, written by the delivery callback on the delivering thread.
  int failed_ = 0;
  std::string last_error_;
};

}  // namespace

Result<std::unique_ptr<EventSink>> OpenKafkaSink(const ForwardUri& uri) {
  std::string brokers;
  for (const std::string& h : uri.hosts) brokers += (brokers.empty() ? "" : ",") + h;
  auto sink = std::make_unique<KafkaSink>(brokers, uri.path);
  REEL_RETURN_IF_ERROR(sink->Connect());
  return std::unique_ptr<EventSink>(std::move(sink));
}

}  // namespace reel::forward_internal
