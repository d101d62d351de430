// The team's store through presigned URLs (POST /v1/workspaces/NAME/objects/presign and the
// PresignedStore of instances), on a real PostgreSQL and the real Ceph S3 gateway: bytes go
// straight to the store from a client that holds no store credentials; readers read, only
// writers upload, strangers get nothing; only chunk and pack objects can be named; deleting and
// listing stay the server's; an expired URL and a body that is not the one signed are refused.
#include <gtest/gtest.h>

#include "chunking/sha256.h"
#include "common/clock.h"
#include "remote/presigned_store.h"
#include "remote/remote_catalog.h"
#include "store/chunk_keys.h"
#include "store/s3_test_env.h"
#include "team_store_fixture.h"

namespace reel::testing {
namespace {

class TeamStoreTest : public TeamServerWithStoreTest {
 protected:
  void SetUp() override {
    TeamServerWithStoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    TeamClient alice = ClientFor(alice_);
    ASSERT_OK(alice.CreateWorkspace("show").status());
    ASSERT_OK(alice.Grant("show", "carol", "reader"));
  }
  TeamServerOptions ServerOptions() override {
    TeamServerOptions o;
    o.stores = {{"cloud", store_uri_}, {"edge", "file:///tmp/not-reachable-by-instances"}};
    return o;
  }

  std::unique_ptr<PresignedStore> StoreFor(const std::string& token,
                                           const std::string& workspace = "show",
                                           const std::string& tier = "cloud",
                                           bool keys_name_content = false) {
    return std::make_unique<PresignedStore>(OptionsFor(token), workspace, tier,
                                            keys_name_content);
  }

  httplib::Result Presign(const std::string& body) {
    httplib::Client c(server_->url());
    return c.Post("/v1/workspaces/show/objects/presign", TeamServerTest::As(alice_, "r-presign-01"),
                  body, "application/json");
  }

  // The one request the server presigned for `body` (a presign call's JSON), checked to be 200.
  json SignedRequest(const std::string& body) {
    auto res = Presign(body);
    EXPECT_TRUE(res);
    if (!res) return json::object();
    EXPECT_EQ(res->status, 200) << res->body;
    return res->status == 200 ? json::parse(res->body)["requests"][0] : json::object();
  }
  // Sends presigned PUT `put` with `body` and its headers (but `drop`), with no credentials.
  static httplib::Result SendPut(const json& put, const std::string& body,
                                 const std::string& drop = "") {
    const std::string url = put.value("url", "http://127.0.0.1:1/");
    httplib::Headers headers;
    for (const auto& [name, value] : put["headers"].items()) {
      if (name != drop) headers.emplace(name, value);
    }
    const size_t path = url.find('/', url.find("://") + 3);
    httplib::Client raw(url.substr(0, path));
    return raw.Put(url.substr(path).c_str(), headers, body, "");
  }
};

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

TEST_F(TeamStoreTest, BytesGoStraightToTheStoreFromAClientWithoutCredentials) {
  auto alice = StoreFor(alice_);
  const std::vector<uint8_t> data = Bytes("frame 1001 of shot 42, in EXR");
  const std::string key = ChunkKey(Sha256(data));
  ASSERT_OK(alice->Put(key, data));
  ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> stored, direct_->Get(key));
  EXPECT_EQ(stored, data) << "the object is in the team's store, under its key";
  ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> got, alice->Get(key));
  EXPECT_EQ(got, data);
  ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> part, alice->GetRange(key, 6, 4));
  EXPECT_EQ(part, Bytes("1001"));
  ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> past, alice->GetRange(key, 1000, 4));
  EXPECT_TRUE(past.empty());
  ASSERT_OK_AND_ASSIGN(ObjectInfo info, alice->Head(key));
  EXPECT_EQ(info.size, data.size());
  const std::string missing = ChunkKey(Sha256(Bytes("never stored")));
  EXPECT_CODE(alice->Get(missing), Code::kNotFound);
  EXPECT_CODE(alice->Head(missing), Code::kNotFound);

  // Only chunks and packs can be named; deleting and listing are the server's.
  EXPECT_CODE(alice->Put("catalog/backup-1.db", data), Code::kInvalidArgument);
  EXPECT_CODE(alice->Get("drive-id"), Code::kInvalidArgument);
  EXPECT_CODE(alice->Get("chunks/../drive-id"), Code::kInvalidArgument);
  EXPECT_CODE(alice->Delete(key), Code::kPermissionDenied);
  EXPECT_CODE(alice->List("", [](const ObjectInfo&) { return true; }), Code::kPermissionDenied);
  EXPECT_OK(direct_->Head(key).status()) << "still there";
  // A tier instances cannot reach, and one the team does not have.
  EXPECT_CODE(StoreFor(alice_, "show", "edge")->Get(key), Code::kNotFound);
  EXPECT_CODE(StoreFor(alice_, "show", "tape")->Get(key), Code::kNotFound);
}

TEST_F(TeamStoreTest, ReadersReadWritersUploadStrangersGetNothing) {
  const std::vector<uint8_t> data = Bytes("a published plate");
  const std::string key = ChunkKey(Sha256(data));
  ASSERT_OK(StoreFor(alice_)->Put(key, data));
  auto carol = StoreFor(carol_);
  ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> got, carol->Get(key));
  EXPECT_EQ(got, data);
  const std::vector<uint8_t> other = Bytes("carol's own bytes");
  EXPECT_CODE(carol->Put(ChunkKey(Sha256(other)), other), Code::kPermissionDenied);
  EXPECT_CODE(direct_->Head(ChunkKey(Sha256(other))), Code::kNotFound);
  auto bob = StoreFor(bob_);  // no grant on "show"
  EXPECT_CODE(bob->Get(key), Code::kPermissionDenied);
  EXPECT_CODE(bob->Put(key, data), Code::kPermissionDenied);
  EXPECT_CODE(StoreFor("reel_" + std::string(64, '2'))->Get(key), Code::kUnauthenticated);
}

TEST_F(TeamStoreTest, AnExpiredUrlIsRefusedByTheStore) {
  now_ = WallClockNs() - 20LL * 60 * 1'000'000'000;  // the server signs 20 minutes ago, for 15
  const std::vector<uint8_t> data = Bytes("too late");
  const std::string key = ChunkKey(Sha256(data));
  EXPECT_CODE(StoreFor(alice_)->Put(key, data), Code::kPermissionDenied);
  EXPECT_CODE(direct_->Head(key), Code::kNotFound) << "nothing was stored";
  now_ = WallClockNs();
  EXPECT_OK(StoreFor(alice_)->Put(key, data));
}

TEST_F(TeamStoreTest, APresignedUploadTakesOnlyTheBodyWhoseMd5WasSigned) {
  const std::string key = ChunkKey(Sha256(Bytes("x")));
  // MD5 of "signed body", base64.
  const json put = SignedRequest(R"({"tier":"cloud","requests":[{"method":"PUT","key":")" + key +
                                 R"(","content_md5":"5YkCNehKR13mnukkHgXq/g=="}]})");
  auto tampered = SendPut(put, "tampered body");
  ASSERT_TRUE(tampered);
  EXPECT_EQ(tampered->status, 400) << tampered->body;
  EXPECT_NE(tampered->body.find("BadDigest"), std::string::npos) << tampered->body;
  EXPECT_CODE(direct_->Head(key), Code::kNotFound);
}

// What instances send: the body's SHA-256, which the store checks as the payload's hash.
TEST_F(TeamStoreTest, APresignedUploadTakesOnlyTheBodyWhoseSha256WasSigned) {
  const std::vector<uint8_t> body = Bytes("signed body");
  const std::string key = ChunkKey(Sha256(body));
  const json put = SignedRequest(R"({"tier":"cloud","requests":[{"method":"PUT","key":")" + key +
                                 R"(","content_sha256":")" + Sha256(body).Hex() + R"("}]})");
  EXPECT_EQ(put["headers"].value("x-amz-content-sha256", ""), Sha256(body).Hex());
  auto tampered = SendPut(put, "tampered body");
  ASSERT_TRUE(tampered);
  EXPECT_EQ(tampered->status, 400) << tampered->body;
  EXPECT_CODE(direct_->Head(key), Code::kNotFound);
  auto genuine = SendPut(put, "signed body");
  ASSERT_TRUE(genuine);
  EXPECT_EQ(genuine->status, 200) << genuine->body;
  ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> stored, direct_->Get(key));
  EXPECT_EQ(stored, body);
}

// A chunk of a workspace that is not encrypted is named by its SHA-256, which its upload signs
// as it is: a damaged chunk (its bytes no longer match its name) is refused by the store. Keyed
// names (an encrypted workspace) are hashed from the bytes sent.
TEST_F(TeamStoreTest, ADamagedChunkIsNeverStored) {
  auto named = StoreFor(alice_, "show", "cloud", /*keys_name_content=*/true);
  const std::vector<uint8_t> take = Bytes("take 3 of shot 12");
  const std::string key = ChunkKey(Sha256(take));
  EXPECT_FALSE(named->Put(key, Bytes("take 3 of shot 12, bit-rotted")).ok());
  EXPECT_CODE(direct_->Head(key), Code::kNotFound);
  ASSERT_OK(named->Put(key, take));
  ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> stored, direct_->Get(key));
  EXPECT_EQ(stored, take);
  auto keyed = StoreFor(alice_);
  const std::string sealed_key = ChunkKey(Sha256(Bytes("a keyed name, not the content's hash")));
  ASSERT_OK(keyed->Put(sealed_key, Bytes("ciphertext")));
  ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> sealed, direct_->Get(sealed_key));
  EXPECT_EQ(sealed, Bytes("ciphertext"));
}

// A pack goes aws-chunked, each member signed by the server from the hash the instance names:
// the store checks every member, the instance hashes nothing, and a damaged member is refused.
TEST_F(TeamStoreTest, APackIsSignedMemberByMemberAndEveryMemberIsChecked) {
  auto alice = StoreFor(alice_);
  const std::vector<uint8_t> a = Bytes("first member"), b = Bytes("second member of the pack");
  std::vector<uint8_t> pack = a;
  pack.insert(pack.end(), b.begin(), b.end());
  const std::vector<HashedPart> parts = {{a.size(), Sha256(a)}, {b.size(), Sha256(b)}};
  std::vector<uint8_t> damaged = pack;
  damaged[a.size() + 2] ^= 1;
  const std::string key = "packs/7a/7a0000000000000000000000000000aa";
  Status refused = alice->PutHashedParts(key, damaged, parts);
  EXPECT_CODE(refused, Code::kCorruption);
  EXPECT_NE(refused.message().find("part 1"), std::string::npos) << refused.ToString();
  EXPECT_CODE(direct_->Head(key), Code::kNotFound);
  ASSERT_OK(alice->PutHashedParts(key, pack, parts));
  ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> stored, direct_->Get(key));
  EXPECT_EQ(stored, pack);
  EXPECT_OK(alice->PutHashedParts(key, pack, parts)) << "a retry of the same body";
  EXPECT_CODE(StoreFor(carol_)->PutHashedParts("packs/7a/7a0000000000000000000000000000ab", pack,
                                               parts),
              Code::kPermissionDenied)
      << "a reader uploads nothing";
}

// A presigned upload only creates: the same body again (a retry after a lost answer) is fine,
// other bytes under an existing key are refused by the store, and a client that drops the
// signed condition breaks the signature.
TEST_F(TeamStoreTest, AnUploadNeverReplacesAnObject) {
  auto alice = StoreFor(alice_);
  const std::vector<uint8_t> data = Bytes("the only take of shot 7");
  const std::string key = ChunkKey(Sha256(data));
  ASSERT_OK(alice->Put(key, data));
  EXPECT_OK(alice->Put(key, data)) << "a retry of the same body";
  EXPECT_CODE(alice->Put(key, Bytes("garbage over the take")), Code::kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> stored, direct_->Get(key));
  EXPECT_EQ(stored, data) << "the object was not replaced";

  // The raw presigned PUT, sent without its If-None-Match header (the MD5 is that of "z").
  const std::string other = ChunkKey(Sha256(Bytes("z")));
  const json put = SignedRequest(R"({"tier":"cloud","requests":[{"method":"PUT","key":")" +
                                 other + R"(","content_md5":"+63p42o/NtPWdsG4CEUd1w=="}]})");
  EXPECT_EQ(put["headers"].value("if-none-match", ""), "*");
  auto dropped = SendPut(put, "z", "if-none-match");
  ASSERT_TRUE(dropped);
  EXPECT_EQ(dropped->status, 403) << dropped->body;
  EXPECT_CODE(direct_->Head(other), Code::kNotFound);
}

// An instance records a pack only once the server sees it in the store with the size its
// members cover: a pack claimed but not uploaded, or cut short, is refused and records nothing.
TEST_F(TeamStoreTest, APackIsRecordedOnlyOnceTheServerSeesItInTheStore) {
  RemoteCatalog catalog(OptionsFor(alice_), "show");
  ASSERT_OK_AND_ASSIGN(Attributes file,
                       catalog.CreateNode(kRootInode, "plate.exr",
                                          NewNode{FileType::kRegular, 0644, 0, 0, {}}, now_));
  const std::vector<uint8_t> a = Bytes("first chunk of the plate"), b = Bytes("and the second");
  NewVersion v;
  v.chunks = {{Sha256(a), static_cast<uint32_t>(a.size())},
              {Sha256(b), static_cast<uint32_t>(b.size())}};
  v.size = a.size() + b.size();
  ASSERT_OK(catalog.CommitVersion(file.ino, v, now_).status());
  std::vector<uint8_t> pack = a;
  pack.insert(pack.end(), b.begin(), b.end());
  const std::vector<PackMember> members = {{Sha256(a), 0, static_cast<uint32_t>(a.size())},
                                           {Sha256(b), a.size(), static_cast<uint32_t>(b.size())}};
  const std::string key = "packs/5e/5e0000000000000000000000000000aa";
  auto located = [&] {
    auto locs = catalog.GetChunkLocations({Sha256(a), Sha256(b)});
    EXPECT_TRUE(locs.ok()) << locs.status().ToString();
    return locs.ok() ? locs->size() : 0u;
  };

  EXPECT_CODE(catalog.RecordPackUpload(kTierCloud, key, members), Code::kInvalidArgument)
      << "not uploaded";
  EXPECT_EQ(located(), 0u);
  auto store = StoreFor(alice_);
  ASSERT_OK(store->Put(key, std::span<const uint8_t>(pack.data(), pack.size() - 1)));
  EXPECT_CODE(catalog.RecordPackUpload(kTierCloud, key, members), Code::kInvalidArgument)
      << "one byte short";
  EXPECT_CODE(catalog.RecordPackUpload(kTierEdge, key, members), Code::kInvalidArgument)
      << "a tier instances cannot reach";
  EXPECT_EQ(located(), 0u);

  const std::string whole = "packs/5e/5e0000000000000000000000000000ab";
  ASSERT_OK(store->Put(whole, pack));
  ASSERT_OK(catalog.RecordPackUpload(kTierCloud, whole, members));
  EXPECT_EQ(located(), 2u);
}

TEST_F(TeamStoreTest, BadPresignRequestsGetAClear4xx) {
  const std::string key = ChunkKey(Sha256(Bytes("y")));
  struct Case {
    std::string body;
    int status;
  };
  const std::vector<Case> cases = {
      {"not json", 400},
      {R"({"tier":"cloud"})", 400},
      {R"({"tier":"cloud","requests":[]})", 400},
      {R"({"tier":"cloud","requests":[{"method":"PUT","key":")" + key + R"("}]})", 400},
      {R"({"tier":"cloud","requests":[{"method":"PUT","key":")" + key +
           R"(","content_md5":"short"}]})",
       400},
      {R"({"tier":"cloud","requests":[{"method":"GET","key":")" + key +
           R"(","content_md5":"5YkCNehKR13mnukkHgXq/g=="}]})",
       400},
      {R"({"tier":"cloud","requests":[{"method":"PUT","key":")" + key +
           R"(","content_sha256":"ABC"}]})",
       400},
      {R"({"tier":"cloud","requests":[{"method":"PUT","key":")" + key + R"(","content_sha256":")" +
           Sha256(Bytes("y")).Hex() + R"(","content_md5":"5YkCNehKR13mnukkHgXq/g=="}]})",
       400},
      {R"({"tier":"cloud","requests":[{"method":"HEAD","key":")" + key + R"(","content_sha256":")" +
           Sha256(Bytes("y")).Hex() + R"("}]})",
       400},
      {R"({"tier":"cloud","requests":[{"method":"PUT","key":")" + key + R"(","parts":[]}]})", 400},
      {R"({"tier":"cloud","requests":[{"method":"PUT","key":")" + key +
           R"(","parts":[{"size":0,"sha256":")" + Sha256(Bytes("y")).Hex() + R"("}]}]})",
       400},
      {R"({"tier":"cloud","requests":[{"method":"PUT","key":")" + key +
           R"(","parts":[{"size":1,"sha256":"nothex"}]}]})",
       400},
      {R"({"tier":"cloud","requests":[{"method":"GET","key":")" + key +
           R"(","parts":[{"size":1,"sha256":")" + Sha256(Bytes("y")).Hex() + R"("}]}]})",
       400},
      {R"({"tier":"cloud","requests":[{"method":"DELETE","key":")" + key + R"("}]})", 400},
      {R"({"tier":"cloud","requests":[{"method":"GET","key":")" + key + R"(","acl":"public"}]})",
       400},
      {R"({"tier":"cloud","requests":[{"method":"GET","key":"packs/zz/notapack"}]})", 400},
      {R"({"tier":"cloud","requests":[{"method":"GET","key":")" + key + R"("}],"x":1})", 400},
      {R"({"tier":"tape","requests":[{"method":"GET","key":")" + key + R"("}]})", 404},
  };
  for (const Case& c : cases) {
    auto res = Presign(c.body);
    ASSERT_TRUE(res) << c.body;
    EXPECT_EQ(res->status, c.status) << c.body << " -> " << res->body;
  }
  std::string many = R"({"tier":"cloud","requests":[)";
  for (int i = 0; i < 1001; ++i) {
    many += std::string(i ? "," : "") + R"({"method":"GET","key":")" + key + R"("})";
  }
  auto res = Presign(many + "]}");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
}

}  // namespace
}  // namespace reel::testing
