#include "sink_backends.h"

#include <httplib.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <nats/nats.h>

#include <cstdlib>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "common/hex.h"
#include "common/secure_random.h"
#include "store/s3/s3_sigv4.h"
#include "http/json_http.h"
#include "testing/free_port.h"

namespace reel::testing {

namespace {

std::string RandomToken() { return ToHex(SecureRandomBytes(6)); }

// "PREFIX.WORKSPACE.KIND" -> workspace, kind.
std::pair<std::string, std::string> SubjectParts(const std::string& subject, size_t prefix_len) {
  std::string rest = subject.substr(prefix_len + 1);
  const size_t dot = rest.rfind('.');
  return {rest.substr(0, dot), rest.substr(dot + 1)};
}

// --- NATS JetStream: a stream of its own per test, read back message by message ---
class Nats final : public SinkBackend {
 public:
  Nats() {
    const char* url = std::getenv("REEL_TEST_NATS_URL");
    url_ = url != nullptr ? url : "";
    const std::string t = RandomToken();
    stream_ = "T" + t;
    prefix_ = "t" + t + ".events";
  }
  ~Nats() override {
    if (js_ != nullptr) {
      (void)js_DeleteStream(js_, stream_.c_str(), nullptr, nullptr);
      jsCtx_Destroy(js_);
    }
    if (nc_ != nullptr) natsConnection_Destroy(nc_);
  }
  std::string Missing() const override {
    return url_.empty() ? "no NATS server (REEL_TEST_NATS_URL; scripts/nats-up.sh)" : "";
  }
  ForwardTarget Target() override {
    return {"nats", url_ + "?subject=" + prefix_ + "&stream=" + stream_, ""};
  }
  ForwardTarget Unreachable() override {
    return {"nats", "nats://127.0.0.1:" + std::to_string(FreeLoopbackPort()), ""};
  }
  bool DropsRepeats() const override { return true; }

  std::vector<Held> HeldMessages() override {
    std::vector<Held> out;
    if (!Connected()) return out;
    jsStreamInfo* si = nullptr;
    if (js_GetStreamInfo(&si, js_, stream_.c_str(), nullptr, nullptr) != NATS_OK) return out;
    const uint64_t first = si->State.FirstSeq, last = si->State.LastSeq, count = si->State.Msgs;
    jsStreamInfo_Destroy(si);
    if (count == 0) return out;
    for (uint64_t seq = first; seq <= last; ++seq) {
      natsMsg* m = nullptr;
      if (js_GetMsg(&m, js_, stream_.c_str(), seq, nullptr, nullptr) != NATS_OK) continue;
      Held h;
      const char* id = nullptr;
      if (natsMsgHeader_Get(m, "Nats-Msg-Id", &id) == NATS_OK) h.id = id;
      std::tie(h.workspace, h.kind) = SubjectParts(natsMsg_GetSubject(m), prefix_.size());
      h.body = nlohmann::json::parse(std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m)));
      natsMsg_Destroy(m);
      out.push_back(std::move(h));
    }
    return out;
  }

 private:
  bool Connected() {
    if (js_ != nullptr) return true;
    if (natsConnection_ConnectTo(&nc_, url_.c_str()) != NATS_OK) return false;
    return natsConnection_JetStream(&js_, nc_, nullptr) == NATS_OK;
  }

  std::string url_, stream_, prefix_;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
};

// --- Kafka: librdkafka's mock cluster in this process, a topic of one partition ---
class Kafka final : public SinkBackend {
 public:
  Kafka() {
    char err[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    owner_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    cluster_ = rd_kafka_mock_cluster_new(owner_, 1);
    rd_kafka_mock_topic_create(cluster_, topic_.c_str(), 1, 1);
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
  }
  ~Kafka() override {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(owner_);
  }
  ForwardTarget Target() override { return {"kafka", "kafka://" + bootstraps_ + "/" + topic_, ""}; }
  ForwardTarget Unreachable() override {
    return {"kafka", "kafka://127.0.0.1:" + std::to_string(FreeLoopbackPort()) + "/" + topic_, ""};
  }

  std::vector<Held> HeldMessages() override {
    std::vector<Held> out;
    char err[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    const std::pair<const char*, std::string> settings[] = {
        {"bootstrap.servers", bootstraps_},
        {"group.id", "reader-" + RandomToken()},
        {"enable.auto.commit", "false"},
        {"enable.partition.eof", "true"},
    };
    for (const auto& [k, v] : settings) rd_kafka_conf_set(conf, k, v.c_str(), err, sizeof err);
    rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, topic_.c_str(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(consumer, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    for (int idle = 0; idle < 100;) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 100);
      if (m == nullptr) {
        ++idle;
        continue;
      }
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        rd_kafka_message_destroy(m);
        break;
      }
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        Held h;
        h.workspace.assign(static_cast<const char*>(m->key), m->key_len);
        h.body = nlohmann::json::parse(
            std::string(static_cast<const char*>(m->payload), m->len));
        h.kind = h.body.value("kind", "");
        rd_kafka_headers_t* headers = nullptr;
        const void* value = nullptr;
        size_t size = 0;
        if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR &&
            rd_kafka_header_get_last(headers, "reel-event-id", &value, &size) ==
                RD_KAFKA_RESP_ERR_NO_ERROR) {
          h.id.assign(static_cast<const char*>(value), size);
        }
        out.push_back(std::move(h));
      }
      rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    return out;
  }

 private:
  std::string topic_ = "events-" + RandomToken();
  rd_kafka_t* owner_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstraps_;
};

// --- Webhook: an HTTP server on loopback that keeps the events of correctly signed POSTs ---
class Webhook final : public SinkBackend {
 public:
  Webhook() {
    server_.Post("/hooks/reel", [this](const httplib::Request& req, httplib::Response& res) {
      const std::string mac = s3::HmacSha256(secret_, req.body);
      const std::string want =
          "sha256=" + ToHex(std::span(reinterpret_cast<const uint8_t*>(mac.data()), mac.size()));
      std::lock_guard<std::mutex> lock(mu_);
      if (req.get_header_value("Reel-Signature") != want ||
          req.get_header_value("Content-Type") != "application/json") {
        ++bad_;
        res.status = 401;
        return;
      }
      const nlohmann::json batch = nlohmann::json::parse(req.body);
      for (const auto& e : batch.at("events")) {
        held_.push_back(Held{e.at("id"), e.at("workspace"), e.at("kind"), e});
      }
      res.status = 204;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    // Returns once it serves: a stop() before that would be lost.
    EXPECT_TRUE(http::ServeInBackground(server_, thread_).ok());
  }
  ~Webhook() override {
    server_.stop();
    thread_.join();
  }
  ForwardTarget Target() override {
    return {"hook", "http://127.0.0.1:" + std::to_string(port_) + "/hooks/reel", secret_};
  }
  ForwardTarget Unreachable() override {
    return {"hook", "http://127.0.0.1:" + std::to_string(FreeLoopbackPort()) + "/hooks/reel", secret_};
  }
  std::vector<Held> HeldMessages() override {
    std::lock_guard<std::mutex> lock(mu_);
    EXPECT_EQ(bad_, 0) << "POSTs with a wrong signature or content type";
    return held_;
  }

 private:
  const std::string secret_ = "hook-secret-" + RandomToken();
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;  // guards held_ and bad_
  std::vector<Held> held_;
  int bad_ = 0;
};

}  // namespace

std::unique_ptr<SinkBackend> NatsBackend() { return std::make_unique<Nats>(); }
std::unique_ptr<SinkBackend> KafkaBackend() { return std::make_unique<Kafka>(); }
std::unique_ptr<SinkBackend> WebhookBackend() { return std::make_unique<Webhook>(); }

}  // namespace reel::testing
