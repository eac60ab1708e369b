// ferrite-clang: a Clang plugin that checks what a lambda captures at
// ferrite's thread boundaries.
//
// C++ concepts see a lambda as an opaque class type, so ferrite::Send accepts
// `thread::spawn([rc] { ... })` with an Rc. This plugin runs after Sema, finds
// every call of a boundary (thread::spawn, Scope::spawn, ThreadPool::execute /
// submit, channel senders, SendFn's constructor, and any function marked
// FERRITE_THREAD_BOUNDARY / FERRITE_SCOPED_THREAD_BOUNDARY from
// ferrite/boundary.h), finds every lambda closure its arguments are or hold,
// and asks marker.h's own concepts about each capture:
//
//   by copy (explicit, [=], init-capture, *this)   the captured type is Send
//   by reference ([&x], [&], this)                 scoped boundary: the referent
//                                                  is Sync and outlives the scope;
//                                                  ThreadPool: the pool itself, or
//                                                  a Sync local declared before a
//                                                  local pool; unscoped boundary:
//                                                  rejected
//
// The Send/Sync table lives only in ferrite/marker.h: the plugin builds
// `ferrite::Send<T>` as a concept-id and reads its satisfaction, and takes the
// reason and the way out from ferrite::detail::send_message<T>().
//
//   clang++ -fplugin=tools/ferrite-clang/out/ferrite-clang.so ...

#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ExprConcepts.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "clang/Sema/Lookup.h"
#include "clang/Sema/Sema.h"
#include "clang/Sema/SemaConsumer.h"
#include "clang/Sema/Template.h"
#include "clang/Sema/TemplateDeduction.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/raw_ostream.h"

using namespace clang;

namespace {

// How a boundary treats borrowed data.
enum class Lifetime {
  kScoped,    // Scope::spawn: joined before thread::scope returns
  kPool,      // ThreadPool::execute / submit: run before the pool's destructor returns
  kUnscoped,  // nothing joins the thread before a borrowed referent dies
};

struct Boundary {
  std::string name;  // as printed: "thread::spawn", "Scope::spawn", ...
  Lifetime lifetime;
};

// "ferrite::channel::Sender::send" for a member of any specialization of
// ferrite::channel::Sender<T> (template arguments are not spelled).
std::string PlainQualifiedName(const NamedDecl* decl) {
  std::vector<std::string> parts;
  parts.push_back(decl->getNameAsString());
  for (const DeclContext* ctx = decl->getDeclContext(); ctx != nullptr; ctx = ctx->getParent()) {
    if (const auto* ns = dyn_cast<NamespaceDecl>(ctx)) {
      if (ns->isInline() || ns->isAnonymousNamespace()) continue;
      parts.push_back(ns->getNameAsString());
    } else if (const auto* record = dyn_cast<RecordDecl>(ctx)) {
      parts.push_back(record->getNameAsString());
    } else if (isa<TranslationUnitDecl>(ctx) || isa<LinkageSpecDecl>(ctx)) {
      continue;
    } else {
      return "";  // a local entity
    }
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!out.empty()) out += "::";
    out += *it;
  }
  return out;
}

const char kBoundaryAnnotation[] = "ferrite::thread_boundary";
const char kScopedBoundaryAnnotation[] = "ferrite::scoped_thread_boundary";

std::optional<Lifetime> AnnotatedBoundary(const FunctionDecl* fn) {
  std::vector<const FunctionDecl*> decls = {fn};
  if (const FunctionDecl* pattern = fn->getTemplateInstantiationPattern()) decls.push_back(pattern);
  if (const FunctionTemplateDecl* tmpl = fn->getPrimaryTemplate())
    decls.push_back(tmpl->getTemplatedDecl());
  for (const FunctionDecl* decl : decls) {
    for (const FunctionDecl* redecl : decl->redecls()) {
      for (const auto* attr : redecl->specific_attrs<AnnotateAttr>()) {
        if (attr->getAnnotation() == kBoundaryAnnotation) return Lifetime::kUnscoped;
        if (attr->getAnnotation() == kScopedBoundaryAnnotation) return Lifetime::kScoped;
      }
    }
  }
  return std::nullopt;
}

// ferrite's own boundaries, by qualified name.
std::optional<Boundary> BoundaryOf(const FunctionDecl* fn) {
  if (fn == nullptr) return std::nullopt;
  static const std::map<std::string, Boundary> kKnown = {
      {"ferrite::thread::spawn", {"thread::spawn", Lifetime::kUnscoped}},
      {"ferrite::thread::Scope::spawn", {"Scope::spawn", Lifetime::kScoped}},
      {"ferrite::ThreadPool::execute", {"ThreadPool::execute", Lifetime::kPool}},
      {"ferrite::ThreadPool::submit", {"ThreadPool::submit", Lifetime::kPool}},
      {"ferrite::channel::Sender::send", {"channel::Sender::send", Lifetime::kUnscoped}},
      {"ferrite::channel::Sender::try_send", {"channel::Sender::try_send", Lifetime::kUnscoped}},
      {"ferrite::channel::Sender::send_timeout",
       {"channel::Sender::send_timeout", Lifetime::kUnscoped}},
      {"ferrite::channel::Sender::send_deadline",
       {"channel::Sender::send_deadline", Lifetime::kUnscoped}},
      {"ferrite::mpsc::Sender::send", {"mpsc::Sender::send", Lifetime::kUnscoped}},
      {"ferrite::mpsc::SyncSender::send", {"mpsc::SyncSender::send", Lifetime::kUnscoped}},
      {"ferrite::mpsc::SyncSender::try_send", {"mpsc::SyncSender::try_send", Lifetime::kUnscoped}},
      {"ferrite::mpsc::SyncSender::send_timeout",
       {"mpsc::SyncSender::send_timeout", Lifetime::kUnscoped}},
      // A SendFn is Send, so it may cross any boundary later: what it stores
      // is checked when it is stored.
      {"ferrite::SendFn::SendFn", {"SendFn", Lifetime::kUnscoped}},
  };
  auto it = kKnown.find(PlainQualifiedName(fn));
  if (it != kKnown.end()) return it->second;
  if (std::optional<Lifetime> lifetime = AnnotatedBoundary(fn)) {
    return Boundary{fn->getNameAsString(), *lifetime};
  }
  return std::nullopt;
}

// One rejected capture, before deduplication.
struct Finding {
  SourceLocation where;
  std::string message;
  // Lower is preferred: 0 for a call the user wrote, +2 inside a template
  // instantiation, +1 for SendFn's constructor (reached through a boundary
  // that wraps the closure).
  int rank;
};

class Checker {
 public:
  Checker(CompilerInstance& ci, Sema& sema) : ci_(ci), sema_(sema), ctx_(ci.getASTContext()) {
    DiagnosticsEngine& diags = ci.getDiagnostics();
    error_id_ = diags.getCustomDiagID(DiagnosticsEngine::Error, "%0");
  }

  bool Ready() {
    NamespaceDecl* ferrite = LookupNamespace(ctx_.getTranslationUnitDecl(), "ferrite");
    if (ferrite == nullptr) return false;
    send_ = LookupConcept(ferrite, "Send");
    sync_ = LookupConcept(ferrite, "Sync");
    if (NamespaceDecl* detail = LookupNamespace(ferrite, "detail")) {
      impl_send_ = LookupClassTemplate(detail, "UnsafeImplSend");
      impl_sync_ = LookupClassTemplate(detail, "UnsafeImplSync");
      send_message_ = LookupFunctionTemplate(detail, "send_message");
      sync_message_ = LookupFunctionTemplate(detail, "sync_message");
    }
    return send_ != nullptr && sync_ != nullptr;
  }

  // The folder holding ferrite/marker.h, with its trailing slash.
  std::string FerriteDir() const {
    SourceManager& sm = ctx_.getSourceManager();
    StringRef file = sm.getFilename(sm.getExpansionLoc(send_->getLocation()));
    size_t slash = file.rfind('/');
    return slash == StringRef::npos ? "" : file.substr(0, slash + 1).str();
  }

  // Closures passed to thread::scope: their locals die before the scope joins.
  void AddScopeBody(const CXXMethodDecl* call_operator) { scope_bodies_.insert(call_operator); }

  // in_instantiation: the call is in a template instantiation (its findings
  // rank below those of a call the user wrote).
  void CheckCall(const Boundary& boundary, const Expr* call, ArrayRef<const Expr*> args,
                 bool in_instantiation) {
    boundary_ = &boundary;
    in_instantiation_ = in_instantiation;
    pool_ = boundary.lifetime == Lifetime::kPool ? PoolVariable(call) : nullptr;
    for (const Expr* arg : args) {
      if (arg == nullptr) continue;
      llvm::SmallPtrSet<const CXXRecordDecl*, 8> seen;
      FindInExpr(arg, seen);
      if (arg->isTypeDependent()) continue;
      FindInType(arg->getType(), seen, 0);
      // A class passed by value (a function object, an argument, a message):
      // its fields cross with it.
      SourceLocation where = arg->getExprLoc();
      std::string why = FieldsExplain(arg->getType(), /*send=*/true, where);
      if (!why.empty()) {
        Report(where, boundary_->name + ": the argument's type " +
                          Spell(arg->getType().getNonReferenceType()) + " crosses, but " + why +
                          ".");
      }
    }
  }

  void Emit() {
    // One diagnostic per capture: the boundary the user called beats one
    // reached through a template that forwards the closure.
    std::map<SourceLocation, const Finding*> best;
    std::vector<SourceLocation> order;
    for (const Finding& f : findings_) {
      auto it = best.find(f.where);
      if (it == best.end()) {
        best[f.where] = &f;
        order.push_back(f.where);
      } else if (f.rank < it->second->rank) {
        it->second = &f;
      }
    }
    for (SourceLocation where : order) {
      const Finding* f = best[where];
      ci_.getDiagnostics().Report(f->where, error_id_) << f->message;
    }
  }

 private:
  static NamespaceDecl* LookupNamespace(DeclContext* in, StringRef name) {
    for (NamedDecl* d : in->lookup(DeclarationName(&in->getParentASTContext().Idents.get(name)))) {
      if (auto* ns = dyn_cast<NamespaceDecl>(d)) return ns;
    }
    return nullptr;
  }
  static ConceptDecl* LookupConcept(DeclContext* in, StringRef name) {
    for (NamedDecl* d : in->lookup(DeclarationName(&in->getParentASTContext().Idents.get(name)))) {
      if (auto* c = dyn_cast<ConceptDecl>(d)) return c;
    }
    return nullptr;
  }
  static ClassTemplateDecl* LookupClassTemplate(DeclContext* in, StringRef name) {
    for (NamedDecl* d : in->lookup(DeclarationName(&in->getParentASTContext().Idents.get(name)))) {
      if (auto* c = dyn_cast<ClassTemplateDecl>(d)) return c;
    }
    return nullptr;
  }
  static FunctionTemplateDecl* LookupFunctionTemplate(DeclContext* in, StringRef name) {
    for (NamedDecl* d : in->lookup(DeclarationName(&in->getParentASTContext().Idents.get(name)))) {
      if (auto* f = dyn_cast<FunctionTemplateDecl>(d)) return f;
    }
    return nullptr;
  }

  // Lambdas written in the argument expression (also inside a SendFn or an
  // aggregate built in place).
  void FindInExpr(const Stmt* stmt, llvm::SmallPtrSet<const CXXRecordDecl*, 8>& seen) {
    if (stmt == nullptr) return;
    if (const auto* lambda = dyn_cast<LambdaExpr>(stmt)) {
      CheckClosure(lambda->getLambdaClass(), seen, 0);
      return;  // its body is not what crosses; its captures are
    }
    for (const Stmt* child : stmt->children()) FindInExpr(child, seen);
  }

  // Closures held by a value of type `type`: the type itself, its fields,
  // array elements, base classes.
  void FindInType(QualType type, llvm::SmallPtrSet<const CXXRecordDecl*, 8>& seen, int depth) {
    if (depth > 6 || type.isNull() || type->isDependentType()) return;
    type = type.getNonReferenceType();
    if (const ArrayType* array = ctx_.getAsArrayType(type)) {
      FindInType(array->getElementType(), seen, depth + 1);
      return;
    }
    const CXXRecordDecl* record = type->getAsCXXRecordDecl();
    if (record == nullptr || !record->hasDefinition()) return;
    record = record->getDefinition();
    if (record->isLambda()) {
      CheckClosure(record, seen, depth);
      return;
    }
    if (!seen.insert(record).second) return;
    for (const FieldDecl* field : record->fields()) FindInType(field->getType(), seen, depth + 1);
    for (const CXXBaseSpecifier& base : record->bases()) FindInType(base.getType(), seen, depth + 1);
  }

  void CheckClosure(const CXXRecordDecl* closure, llvm::SmallPtrSet<const CXXRecordDecl*, 8>& seen,
                    int depth) {
    if (closure == nullptr || !seen.insert(closure).second) return;
    for (const LambdaCapture& capture : closure->captures()) {
      SourceLocation where = capture.getLocation();
      if (where.isInvalid()) where = closure->getLocation();
      switch (capture.getCaptureKind()) {
        case LCK_This:
          CheckBorrow("this", ThisClass(closure), where, nullptr);
          break;
        case LCK_StarThis:
          CheckCopy("*this", ThisClass(closure), where, seen, depth);
          break;
        case LCK_ByCopy:
        case LCK_ByRef: {
          if (!capture.capturesVariable()) break;
          const ValueDecl* captured = capture.getCapturedVar();
          const VarDecl* var = dyn_cast<VarDecl>(captured);
          QualType type;
          bool by_ref = capture.getCaptureKind() == LCK_ByRef;
          if (var != nullptr) {
            type = var->getType();
            if (var->isInitCapture()) by_ref = type->isReferenceType();
          } else if (const auto* binding = dyn_cast<BindingDecl>(captured)) {
            // A structured binding (`auto [a, b] = ...; [a] {...}`): a copy
            // copies the object it names; a borrow lives as long as the
            // variable holding it (tuple-like) or the decomposed object.
            type = binding->getType();
            var = binding->getHoldingVar();
            if (var == nullptr) var = dyn_cast_or_null<VarDecl>(binding->getDecomposedDecl());
          } else {
            break;
          }
          std::string name = captured->getNameAsString();
          if (by_ref) {
            CheckBorrow(name, type.getNonReferenceType(), where, var);
          } else {
            CheckCopy(name, type.getNonReferenceType(), where, seen, depth);
          }
          break;
        }
        case LCK_VLAType:
          break;
      }
    }
  }

  QualType ThisClass(const CXXRecordDecl* closure) {
    // The enclosing class: the closure's context is a member function (or a
    // lambda inside one).
    const DeclContext* ctx = closure->getDeclContext();
    while (ctx != nullptr) {
      if (const auto* method = dyn_cast<CXXMethodDecl>(ctx)) {
        if (!method->getParent()->isLambda()) {
          return method->getThisType()->getPointeeType().getUnqualifiedType();
        }
      }
      if (const auto* record = dyn_cast<CXXRecordDecl>(ctx)) {
        if (!record->isLambda()) return ctx_.getRecordType(record);
      }
      ctx = ctx->getParent();
    }
    return QualType();
  }

  void CheckCopy(const std::string& name, QualType type, SourceLocation where,
                 llvm::SmallPtrSet<const CXXRecordDecl*, 8>& seen, int depth) {
    if (type.isNull() || type->isDependentType()) return;
    // A captured closure: its own captures cross too.
    FindInType(type, seen, depth + 1);
    std::string why;
    if (!Satisfies(send_, type, where)) {
      why = Explain(type, /*send=*/true, where);
    } else {
      why = FieldsExplain(type, /*send=*/true, where);
    }
    if (why.empty()) return;
    Report(where, boundary_->name + ": the lambda captures '" + name + "' by copy, but " + why +
                      ".");
  }

  void CheckBorrow(const std::string& name, QualType referent, SourceLocation where,
                   const VarDecl* var) {
    if (referent.isNull() || referent->isDependentType()) return;
    std::string type_name = Spell(referent);
    if (boundary_->lifetime == Lifetime::kUnscoped) {
      Report(where, boundary_->name + ": the lambda captures '" + name + "' (" + type_name +
                        ") by reference, but nothing joins the thread before it dies; move it "
                        "into the lambda, share it through an Arc (Arc<Mutex<" +
                        Spell(referent.getUnqualifiedType()) +
                        ">> to write it: an Arc hands out const&), or borrow it from a thread "
                        "spawned by Scope::spawn in thread::scope.");
      return;
    }
    if (boundary_->lifetime == Lifetime::kPool) {
      // The job borrows the pool it is queued on: the pool runs it before its
      // destructor returns, and cannot be moved out of its variable.
      if (var != nullptr && pool_ != nullptr &&
          var->getCanonicalDecl() == pool_->getCanonicalDecl()) {
        return;
      }
      if (var == nullptr || !OutlivesPool(var)) {
        Report(where, boundary_->name + ": the lambda captures '" + name + "' (" + type_name +
                          ") by reference, but it may die before the pool runs the job: only a "
                          "local declared before the pool, in the same function, outlives a "
                          "local ThreadPool's jobs (its destructor runs them all); declare it "
                          "before the pool, move it into the lambda, or share it through an "
                          "Arc (Arc<Mutex<" +
                          Spell(referent.getUnqualifiedType()) + ">> to write it).");
        return;
      }
      // Declared before the pool: a scoped borrow, checked as Scope::spawn's.
    }
    if (var != nullptr && !var->getType()->isReferenceType() && var->hasLocalStorage() &&
        DeclaredInScopeBody(var)) {
      Report(where, boundary_->name + ": the lambda borrows '" + name + "' (" + type_name +
                        "), which does not live long enough: it is declared inside the closure "
                        "passed to thread::scope and dies before the scope joins its threads; "
                        "declare it before thread::scope, or capture it by copy or move.");
      return;
    }
    std::string why;
    if (!Satisfies(sync_, referent, where)) {
      why = Explain(referent, /*send=*/false, where);
    } else {
      why = FieldsExplain(referent, /*send=*/false, where);
    }
    if (why.empty()) return;
    Report(where, boundary_->name + ": the lambda captures '" + name + "' by reference, but " +
                      why + ".");
  }

  // Rust's auto traits for the classes marker.h judges by its default rule
  // (it cannot inspect a class with constructors or private members, so it
  // calls it Send and Sync): such a class is Send (Sync) only if every field,
  // private ones included, is, recursively, unless it opted in
  // (FERRITE_UNSAFE_IMPL_SEND/SYNC) or is a ferrite or std:: type, which
  // marker.h has explicit rules for. Aggregates are marker.h's own business.
  // Returns "" when every field passes.
  std::string FieldsExplain(QualType type, bool send, SourceLocation where, int depth = 0) {
    if (depth > 8 || type.isNull() || type->isDependentType()) return "";
    type = type.getNonReferenceType();
    while (const ArrayType* array = ctx_.getAsArrayType(type)) type = array->getElementType();
    const CXXRecordDecl* record = type->getAsCXXRecordDecl();
    if (record == nullptr || !record->hasDefinition()) return "";
    record = record->getDefinition();
    if (record->isLambda()) return "";  // its captures are checked as captures
    if (PlainQualifiedName(record).rfind("ferrite::", 0) == 0 || record->isInStdNamespace()) {
      return "";
    }
    if (OptedIn(send ? impl_send_ : impl_sync_, type)) return "";
    const char* trait = send ? "Send" : "Sync";
    for (const CXXBaseSpecifier& base : record->bases()) {
      std::string why = FieldsExplain(base.getType(), send, where, depth + 1);
      if (!why.empty()) return Spell(type) + " is not " + trait + ": its base " + why;
    }
    if (record->isAggregate()) return "";  // marker.h checks its fields itself
    for (const FieldDecl* field : record->fields()) {
      QualType field_type = field->getType();
      if (field_type->isDependentType()) continue;
      std::string field_name = field->getNameAsString();
      bool ok = Satisfies(send ? send_ : sync_, field_type, where);
      if (!send && ok && field->isMutable()) {
        return Spell(type) + " is not Sync: its field '" + field_name +
               "' is mutable, writable through const& without synchronization; if that is "
               "sound (an atomic), add FERRITE_UNSAFE_IMPL_SYNC(" + Spell(type) +
               ") with a SAFETY note";
      }
      if (ok) {
        std::string why = FieldsExplain(field_type, send, where, depth + 1);
        if (why.empty()) continue;
        return Spell(type) + " is not " + trait + ": its field '" + field_name + "': " + why;
      }
      std::string why = Spell(type) + " is not " + trait + ": its field '" + field_name +
                        "': " + Explain(field_type, send, where);
      if (field_type->isPointerType() || field_type->isMemberPointerType()) {
        why += "; if " + std::string(send ? "moving" : "sharing") + " it is sound, add " +
               (send ? "FERRITE_UNSAFE_IMPL_SEND(" : "FERRITE_UNSAFE_IMPL_SYNC(") + Spell(type) +
               ") with a SAFETY note";
      }
      return why;
    }
    return "";
  }

  bool OptedIn(ClassTemplateDecl* impl, QualType type) {
    if (impl == nullptr) return false;
    CanQualType canonical = ctx_.getCanonicalType(type.getUnqualifiedType());
    for (const ClassTemplateSpecializationDecl* spec : impl->specializations()) {
      const TemplateArgumentList& args = spec->getTemplateArgs();
      if (args.size() == 1 && args[0].getKind() == TemplateArgument::Type &&
          ctx_.getCanonicalType(args[0].getAsType()) == canonical &&
          spec->isExplicitSpecialization()) {
        return true;
      }
    }
    return false;
  }

  // The variable that a ThreadPool::execute / submit call is made on
  // (`pool.execute(...)`), when it is a ferrite::ThreadPool or a reference to
  // one; null for a pool reached through a pointer, a member or an Arc, and
  // for a class derived from ThreadPool (its own members die before the
  // ThreadPool destructor runs the jobs).
  static const VarDecl* PoolVariable(const Expr* call) {
    const auto* member_call = dyn_cast<CXXMemberCallExpr>(call);
    if (member_call == nullptr) return nullptr;
    const Expr* object = member_call->getImplicitObjectArgument();
    if (object == nullptr) return nullptr;
    const auto* ref = dyn_cast<DeclRefExpr>(object->IgnoreParenImpCasts());
    if (ref == nullptr) return nullptr;
    const auto* var = dyn_cast<VarDecl>(ref->getDecl());
    if (var == nullptr) return nullptr;
    const CXXRecordDecl* record = var->getType().getNonReferenceType()->getAsCXXRecordDecl();
    if (record == nullptr || PlainQualifiedName(record) != "ferrite::ThreadPool") return nullptr;
    return var;
  }

  // Rust's rule for scoped work, for a ThreadPool: a local `var` outlives
  // every job of the local pool `pool_` when the pool is an automatic
  // variable of class type (not a reference, a parameter or a static;
  // ThreadPool cannot be moved, and its destructor runs every queued job,
  // those that jobs queue included) and `var` is a parameter of the same
  // function, or an automatic variable (not a reference, whose referent may
  // die first) declared before the pool in a scope that encloses it.
  bool OutlivesPool(const VarDecl* var) {
    const VarDecl* pool = pool_;
    if (pool == nullptr || isa<ParmVarDecl>(pool) || !pool->hasLocalStorage() ||
        pool->getType()->isReferenceType() || pool->isInitCapture()) {
      return false;
    }
    if (!var->hasLocalStorage() || var->getType()->isReferenceType() || var->isInitCapture() ||
        var->getDeclContext() != pool->getDeclContext()) {
      return false;
    }
    if (isa<ParmVarDecl>(var)) return true;
    if (!ctx_.getSourceManager().isBeforeInTranslationUnit(var->getLocation(),
                                                           pool->getLocation())) {
      return false;
    }
    // The statement whose scope `var` is declared in (a block, a for loop...)
    // must hold the pool's declaration.
    const Stmt* scope = nullptr;
    for (const DynTypedNode& decl_stmt : ctx_.getParents(*var)) {
      if (decl_stmt.get<DeclStmt>() == nullptr) continue;
      for (const DynTypedNode& parent : ctx_.getParents(decl_stmt)) scope = parent.get<Stmt>();
    }
    if (scope == nullptr) return false;
    DynTypedNodeList pool_parents = ctx_.getParents(*pool);
    std::vector<DynTypedNode> work(pool_parents.begin(), pool_parents.end());
    for (int steps = 0; !work.empty() && steps < 4096; ++steps) {
      DynTypedNode node = work.back();
      work.pop_back();
      if (node.get<Stmt>() == scope) return true;
      if (node.get<Decl>() != nullptr) continue;  // left the function
      for (const DynTypedNode& p : ctx_.getParents(node)) work.push_back(p);
    }
    return false;
  }

  bool DeclaredInScopeBody(const VarDecl* var) {
    for (const DeclContext* ctx = var->getDeclContext(); ctx != nullptr; ctx = ctx->getParent()) {
      if (const auto* method = dyn_cast<CXXMethodDecl>(ctx)) {
        if (scope_bodies_.count(method->getCanonicalDecl()) != 0) return true;
      }
      if (ctx->isFileContext()) break;
    }
    return false;
  }

  std::string Spell(QualType type) {
    PrintingPolicy policy(ctx_.getLangOpts());
    policy.SuppressTagKeyword = true;
    policy.FullyQualifiedName = true;
    policy.PrintCanonicalTypes = false;
    return type.getCanonicalType().getAsString(policy);
  }

  // Asks marker.h: is `ferrite::Send<type>` (or Sync) satisfied?
  bool Satisfies(ConceptDecl* concept_decl, QualType type, SourceLocation where) {
    auto key = std::make_pair(concept_decl, type.getCanonicalType().getAsOpaquePtr());
    auto cached = satisfied_.find(key);
    if (cached != satisfied_.end()) return cached->second;
    TemplateArgumentListInfo args(where, where);
    args.addArgument(TemplateArgumentLoc(TemplateArgument(type),
                                         ctx_.getTrivialTypeSourceInfo(type, where)));
    CXXScopeSpec ss;
    DeclarationNameInfo name(concept_decl->getDeclName(), where);
    ExprResult result = sema_.CheckConceptTemplateId(ss, SourceLocation(), name, concept_decl,
                                                     concept_decl, &args);
    bool ok = true;  // when the question cannot be asked, say nothing
    if (result.isUsable()) {
      if (const auto* spec = dyn_cast<ConceptSpecializationExpr>(result.get())) {
        ok = spec->isSatisfied();
      }
    }
    satisfied_[key] = ok;
    return ok;
  }

  // "ferrite::Rc<int> is not Send: Rc's reference count is not atomic; use
  // Arc<int>", from ferrite::detail::send_message<T>() when it can be
  // evaluated, else the type and the trait.
  std::string Explain(QualType type, bool send, SourceLocation where) {
    std::string fallback = Spell(type) + " is not " + (send ? "Send" : "Sync") +
                           " (see the Send/Sync table in ferrite/marker.h)";
    FunctionTemplateDecl* tmpl = send ? send_message_ : sync_message_;
    if (tmpl == nullptr) return fallback;
    TemplateArgumentListInfo args(where, where);
    args.addArgument(TemplateArgumentLoc(TemplateArgument(type),
                                         ctx_.getTrivialTypeSourceInfo(type, where)));
    Sema::SFINAETrap trap(sema_);
    FunctionDecl* specialization = nullptr;
    sema::TemplateDeductionInfo info(where);
    if (sema_.DeduceTemplateArguments(tmpl, &args, specialization, info) !=
            TemplateDeductionResult::Success ||
        specialization == nullptr) {
      if (getenv("FERRITE_PLUGIN_DEBUG")) llvm::errs() << "deduce failed\n";
      return fallback;
    }
    sema_.InstantiateFunctionDefinition(where, specialization, /*Recursive=*/true,
                                        /*DefinitionRequired=*/false, /*AtEndOfTU=*/true);
    ExprResult ref = sema_.BuildDeclRefExpr(specialization, specialization->getType(), VK_LValue,
                                            where);
    if (!ref.isUsable()) return fallback;
    ExprResult call = sema_.BuildCallExpr(nullptr, ref.get(), where, {}, where);
    if (!call.isUsable() || trap.hasErrorOccurred()) {
      if (getenv("FERRITE_PLUGIN_DEBUG")) llvm::errs() << "call failed\n";
      return fallback;
    }
    // What the message's functions use is instantiated now, at the end of
    // the translation unit.
    sema_.PerformPendingInstantiations();
    Expr::EvalResult value;
    SmallVector<PartialDiagnosticAt, 4> notes;
    value.Diag = &notes;
    if (!call.get()->EvaluateAsConstantExpr(value, ctx_) || !value.Val.isStruct()) {
      if (getenv("FERRITE_PLUGIN_DEBUG")) {
        llvm::errs() << "eval failed\n";
        for (auto& n : notes) {
          SmallString<128> buf;
          n.second.EmitToString(ci_.getDiagnostics(), buf);
          llvm::errs() << buf << "\n";
        }
      }
      return fallback;
    }
    // StaticMessage { std::array<char, N> chars_; std::size_t size_; }
    const APValue& message = value.Val;
    if (message.getStructNumFields() < 2) return fallback;
    const APValue& array = message.getStructField(0);
    const APValue& size = message.getStructField(1);
    if (!array.isStruct() || array.getStructNumFields() < 1 || !size.isInt()) return fallback;
    const APValue& chars = array.getStructField(0);
    if (!chars.isArray()) return fallback;
    uint64_t n = size.getInt().getZExtValue();
    std::string text;
    for (uint64_t i = 0; i < n; ++i) {
      const APValue& c = i < chars.getArrayInitializedElts() ? chars.getArrayInitializedElt(i)
                                                              : chars.getArrayFiller();
      if (!c.isInt()) return fallback;
      text.push_back(static_cast<char>(c.getInt().getSExtValue()));
    }
    return text.empty() ? fallback : text;
  }

  void Report(SourceLocation where, std::string message) {
    int rank = (in_instantiation_ ? 2 : 0) + (boundary_->name == "SendFn" ? 1 : 0);
    findings_.push_back({where, std::move(message), rank});
  }

  CompilerInstance& ci_;
  Sema& sema_;
  ASTContext& ctx_;
  unsigned error_id_ = 0;
  ConceptDecl* send_ = nullptr;
  ConceptDecl* sync_ = nullptr;
  ClassTemplateDecl* impl_send_ = nullptr;
  ClassTemplateDecl* impl_sync_ = nullptr;
  FunctionTemplateDecl* send_message_ = nullptr;
  FunctionTemplateDecl* sync_message_ = nullptr;
  const Boundary* boundary_ = nullptr;
  const VarDecl* pool_ = nullptr;  // the local pool of a ThreadPool boundary, or null
  bool in_instantiation_ = false;
  std::set<const CXXMethodDecl*> scope_bodies_;
  std::map<std::pair<ConceptDecl*, void*>, bool> satisfied_;
  std::vector<Finding> findings_;
};

// Collects the boundary calls and the closures passed to thread::scope.
class Collector : public RecursiveASTVisitor<Collector> {
 public:
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitLambdaBody() const { return true; }

  struct Call {
    Boundary boundary;
    const Expr* expr;
    std::vector<const Expr*> args;
    bool in_instantiation;
  };
  std::vector<Call> calls;
  std::vector<const CXXMethodDecl*> scope_bodies;

  // ferrite_dir: the folder of ferrite/marker.h (ferrite's headers).
  Collector(SourceManager& sm, std::string ferrite_dir)
      : sm_(sm), ferrite_dir_(std::move(ferrite_dir)) {}

  // Declarations in system headers (the standard library, and gtest's or
  // abseil's under --system-header-prefix) and in ferrite's own headers hold
  // no call to check: a boundary call there forwards a closure the user's
  // call already handed over, and a lambda belongs to the file it is
  // written in, whatever template runs it. Skipping them is most of what
  // keeps the plugin cheap. Tracks, too, whether the traversal is inside a
  // template instantiation.
  bool TraverseDecl(Decl* decl) {
    if (decl == nullptr) return true;
    if (!isa<TranslationUnitDecl>(decl) && decl->getLocation().isValid()) {
      SourceLocation loc = sm_.getExpansionLoc(decl->getLocation());
      if (sm_.isInSystemHeader(loc) || InFerriteHeader(loc)) return true;
    }
    const auto* fn = dyn_cast<FunctionDecl>(decl);
    const bool instantiation = fn != nullptr && fn->isTemplateInstantiation();
    if (instantiation) ++instantiation_depth_;
    bool result = RecursiveASTVisitor<Collector>::TraverseDecl(decl);
    if (instantiation) --instantiation_depth_;
    return result;
  }

  bool VisitCallExpr(CallExpr* call) {
    const FunctionDecl* callee = call->getDirectCallee();
    if (callee == nullptr) return true;
    std::vector<const Expr*> args;
    for (const Expr* arg : call->arguments()) args.push_back(arg);
    // operator() calls carry the object as their first argument.
    if (PlainQualifiedName(callee) == "ferrite::thread::scope") {
      for (const Expr* arg : args) CollectScopeBodies(arg);
    }
    Add(callee, call, std::move(args));
    return true;
  }

  bool VisitCXXConstructExpr(CXXConstructExpr* construct) {
    std::vector<const Expr*> args;
    for (const Expr* arg : construct->arguments()) args.push_back(arg);
    Add(construct->getConstructor(), construct, std::move(args));
    return true;
  }

 private:
  void Add(const FunctionDecl* callee, const Expr* expr, std::vector<const Expr*> args) {
    std::optional<Boundary> boundary = BoundaryOf(callee);
    if (!boundary) return;
    // ferrite's own headers forward closures between boundaries; the user's
    // call is the one to check.
    if (InFerriteHeader(expr->getBeginLoc())) return;
    calls.push_back({*boundary, expr, std::move(args), instantiation_depth_ > 0});
  }

  bool InFerriteHeader(SourceLocation loc) {
    loc = sm_.getExpansionLoc(loc);
    if (loc.isInvalid() || ferrite_dir_.empty()) return false;
    FileID file = sm_.getFileID(loc);
    auto [it, inserted] = in_ferrite_header_.try_emplace(file, false);
    if (inserted) it->second = sm_.getFilename(loc).starts_with(ferrite_dir_);
    return it->second;
  }

  void CollectScopeBodies(const Stmt* stmt) {
    if (stmt == nullptr) return;
    if (const auto* lambda = dyn_cast<LambdaExpr>(stmt)) {
      if (const CXXMethodDecl* op = lambda->getCallOperator()) {
        scope_bodies.push_back(op->getCanonicalDecl());
      }
      return;
    }
    for (const Stmt* child : stmt->children()) CollectScopeBodies(child);
  }

  SourceManager& sm_;
  std::string ferrite_dir_;
  int instantiation_depth_ = 0;
  llvm::DenseMap<FileID, bool> in_ferrite_header_;
};

class FerriteConsumer : public SemaConsumer {
 public:
  explicit FerriteConsumer(CompilerInstance& ci) : ci_(ci) {}

  void InitializeSema(Sema& sema) override { sema_ = &sema; }
  void ForgetSema() override { sema_ = nullptr; }

  void HandleTranslationUnit(ASTContext& ctx) override {
    if (sema_ == nullptr) return;
    Checker checker(ci_, *sema_);
    if (!checker.Ready()) return;  // ferrite/marker.h is not included
    Collector collector(ctx.getSourceManager(), checker.FerriteDir());
    collector.TraverseDecl(ctx.getTranslationUnitDecl());
    for (const CXXMethodDecl* body : collector.scope_bodies) checker.AddScopeBody(body);
    for (const Collector::Call& call : collector.calls) {
      checker.CheckCall(call.boundary, call.expr, call.args, call.in_instantiation);
    }
    checker.Emit();
  }

 private:
  CompilerInstance& ci_;
  Sema* sema_ = nullptr;
};

class FerriteAction : public PluginASTAction {
 protected:
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance& ci, StringRef) override {
    return std::make_unique<FerriteConsumer>(ci);
  }
  bool ParseArgs(const CompilerInstance&, const std::vector<std::string>&) override {
    return true;
  }
  ActionType getActionType() override { return AddAfterMainAction; }
};

}  // namespace

static FrontendPluginRegistry::Add<FerriteAction> kRegistration(
    "ferrite-check", "checks lambda captures at ferrite's thread boundaries");
