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
  // Whether what the callable returns comes back through a handle (join()),
  // in another thread and possibly later: thread::spawn, Scope::spawn,
  // ThreadPool::submit.
  bool returns = false;
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
      {"ferrite::thread::spawn", {"thread::spawn", Lifetime::kUnscoped, true}},
      {"ferrite::thread::Scope::spawn", {"Scope::spawn", Lifetime::kScoped, true}},
      {"ferrite::ThreadPool::execute", {"ThreadPool::execute", Lifetime::kPool}},
      {"ferrite::ThreadPool::submit", {"ThreadPool::submit", Lifetime::kPool, true}},
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

// Where a closure's code modifies what it captured by reference: the first
// modification of each captured variable (or of *this), found by walking the
// closure's call operator (every instantiated one, for a generic lambda) and
// the lambdas nested in it, and following each use of the captured entity
// outwards through the expressions that still designate it (or a subobject,
// or point to it). A use modifies it when it is assigned, incremented or
// decremented, the object of a non-const member function (an operator
// included), bound to a non-const reference (a variable, a parameter, a
// forwarding reference that deduced T&, a range-for variable, an
// init-capture, a returned reference) or its address taken as a pointer to
// non-const that is stored, passed or returned. A nested lambda that
// captures it by reference is walked as part of the body; one that copies it
// modifies only its copy. Walks the closure's own statements only, with its
// own stack of parents: no parent map of the translation unit is built.
class MutationFinder {
 public:
  struct Mutation {
    SourceLocation where;  // the expression (or range-for variable) that modifies it
    QualType type;         // the object modified: the referent or a subobject
    bool cast = false;     // a cast that removes const from it (the write is not followed)
  };

  // `vars`: the variables (and structured bindings) captured by reference;
  // `track_this`: whether `this` is captured.
  MutationFinder(llvm::SmallPtrSet<const ValueDecl*, 8> vars, bool track_this)
      : vars_(std::move(vars)), track_this_(track_this) {}

  // The first modification of each tracked entity; `this` under nullptr.
  std::map<const ValueDecl*, Mutation> found;

  void WalkClosure(const CXXRecordDecl* closure) {
    for (const Stmt* body : Bodies(closure)) Walk(body);
  }

 private:
  // The call operator's body, or each instantiated one of a generic lambda
  // (the pattern's dependent body says nothing about what runs).
  static std::vector<const Stmt*> Bodies(const CXXRecordDecl* closure) {
    std::vector<const Stmt*> bodies;
    if (const FunctionTemplateDecl* tmpl = closure->getDependentLambdaCallOperator()) {
      for (const FunctionDecl* spec : tmpl->specializations()) {
        if (const Stmt* body = spec->getBody()) bodies.push_back(body);
      }
    } else if (const CXXMethodDecl* op = closure->getLambdaCallOperator()) {
      if (const Stmt* body = op->getBody()) bodies.push_back(body);
    }
    return bodies;
  }

  void Walk(const Stmt* stmt) {
    if (stmt == nullptr) return;
    // Unevaluated operands modify nothing.
    if (isa<UnaryExprOrTypeTraitExpr>(stmt) || isa<CXXNoexceptExpr>(stmt) ||
        isa<RequiresExpr>(stmt)) {
      return;
    }
    if (const auto* type_id = dyn_cast<CXXTypeidExpr>(stmt)) {
      if (!type_id->isPotentiallyEvaluated()) return;
    }
    stack_.push_back(stmt);
    if (const auto* cast_expr = dyn_cast<ExplicitCastExpr>(stmt)) CastAwayConst(cast_expr);
    if (const auto* ref = dyn_cast<DeclRefExpr>(stmt)) {
      const ValueDecl* key = Tracked(ref);
      if (key != nullptr && found.count(key) == 0) Analyze(key, /*pointer=*/false);
    } else if (isa<CXXThisExpr>(stmt)) {
      if (track_this_ && !this_shadowed_ && found.count(nullptr) == 0) {
        Analyze(nullptr, /*pointer=*/true);
      }
    }
    if (const auto* lambda = dyn_cast<LambdaExpr>(stmt)) {
      WalkNested(lambda);
    } else {
      for (const Stmt* child : stmt->children()) Walk(child);
    }
    stack_.pop_back();
  }

  void WalkNested(const LambdaExpr* lambda) {
    for (const Expr* init : lambda->capture_inits()) Walk(init);
    // Inside, a variable it copies (and *this, for [*this]) is its own copy.
    std::vector<const ValueDecl*> shadowed;
    bool this_shadowed = this_shadowed_;
    for (const LambdaCapture& capture : lambda->captures()) {
      if (capture.getCaptureKind() == LCK_StarThis) this_shadowed_ = true;
      if (capture.getCaptureKind() == LCK_ByCopy && capture.capturesVariable()) {
        const ValueDecl* var = capture.getCapturedVar();
        if (shadowed_.insert(var).second) shadowed.push_back(var);
      }
    }
    for (const Stmt* body : Bodies(lambda->getLambdaClass())) Walk(body);
    for (const ValueDecl* var : shadowed) shadowed_.erase(var);
    this_shadowed_ = this_shadowed;
  }

  // The tracked entity a use names: a captured variable, or the captured
  // variable that a const reference or pointer to const declared in the
  // closure was bound to (`const int& r = n;`: r names n).
  const ValueDecl* Tracked(const DeclRefExpr* ref) const {
    const ValueDecl* decl = ref->getDecl();
    if (vars_.count(decl) == 0 || shadowed_.count(decl) != 0) return nullptr;
    auto alias = aliases_.find(decl);
    return alias == aliases_.end() ? decl : alias->second;
  }

  // `const_cast<int&>(std::min(n, m))`, `(int&)cref`: a cast that removes
  // const from what a tracked entity designates (or points to) may modify
  // it, wherever the const came from; what is written next is not followed.
  void CastAwayConst(const ExplicitCastExpr* cast_expr) {
    if (!isa<CXXConstCastExpr>(cast_expr) && cast_expr->getCastKind() != CK_NoOp) return;
    QualType to = cast_expr->getTypeAsWritten();
    QualType from = cast_expr->getSubExpr()->getType();
    QualType to_object, from_object;
    if (to->isPointerType() && from->isPointerType()) {
      to_object = to->getPointeeType();
      from_object = from->getPointeeType();
    } else if (to->isReferenceType()) {
      to_object = to.getNonReferenceType();
      from_object = from.getNonReferenceType();
    } else {
      return;
    }
    if (to_object.isConstQualified() || !from_object.isConstQualified()) return;
    std::vector<const ValueDecl*> keys;
    bool this_used = false;
    Mentions(cast_expr->getSubExpr(), keys, this_used);
    for (const ValueDecl* key : keys) {
      if (found.count(key) != 0) continue;
      found.emplace(key, Mutation{cast_expr->getBeginLoc(), to_object.getUnqualifiedType(), true});
    }
    if (this_used && found.count(nullptr) == 0) {
      found.emplace(nullptr, Mutation{cast_expr->getBeginLoc(), to_object.getUnqualifiedType(), true});
    }
  }

  // The tracked entities an expression mentions (not inside nested lambdas'
  // bodies, which are walked on their own).
  void Mentions(const Stmt* stmt, std::vector<const ValueDecl*>& keys, bool& this_used) const {
    if (stmt == nullptr || isa<LambdaExpr>(stmt)) return;
    if (const auto* ref = dyn_cast<DeclRefExpr>(stmt)) {
      if (const ValueDecl* key = Tracked(ref)) keys.push_back(key);
    } else if (isa<CXXThisExpr>(stmt)) {
      this_used = this_used || (track_this_ && !this_shadowed_);
    }
    for (const Stmt* child : stmt->children()) Mentions(child, keys, this_used);
  }

  static bool Modifiable(QualType type) {
    return !type.isNull() && !type.getNonReferenceType().isConstQualified();
  }

  void Record(const ValueDecl* key, SourceLocation where, QualType object) {
    if (!Modifiable(object)) return;
    found.emplace(key, Mutation{where, object.getNonReferenceType().getUnqualifiedType()});
  }

  // A value of type `target` initialized from the expression: a non-const
  // reference bound to the object, or a pointer to non-const that holds its
  // address, may modify it.
  void Bind(const ValueDecl* key, SourceLocation where, QualType target, bool pointer,
            QualType object) {
    if (target.isNull()) return;
    if (pointer ? target->isPointerType() : target->isReferenceType()) Record(key, where, object);
  }

  // The stack's top is a use of `key`: follows it outwards.
  void Analyze(const ValueDecl* key, bool pointer) {
    size_t i = stack_.size() - 1;
    const Expr* cur = cast<Expr>(stack_[i]);
    // The complete object's type when `cur` names it as one of its bases
    // (std::atomic<int>'s operator+= is a member of its base class).
    QualType derived;
    while (i > 0) {
      const Stmt* parent = stack_[--i];
      // The object `cur` designates (or points to).
      QualType object = pointer ? cur->getType()->getPointeeType() : cur->getType();
      if (object.isNull()) return;
      if (!derived.isNull()) object = object.isConstQualified() ? derived.withConst() : derived;
      if (isa<ParenExpr>(parent) || isa<FullExpr>(parent) ||
          isa<CXXBindTemporaryExpr>(parent)) {
        cur = cast<Expr>(parent);
        continue;
      }
      if (const auto* cast_expr = dyn_cast<CastExpr>(parent)) {
        switch (cast_expr->getCastKind()) {
          case CK_DerivedToBase:
          case CK_UncheckedDerivedToBase:
            if (derived.isNull()) derived = object.getUnqualifiedType();
            break;
          case CK_NoOp:
          case CK_BaseToDerived:
          case CK_Dynamic:
          case CK_LValueBitCast:
            break;
          case CK_ArrayToPointerDecay:
            if (pointer) return;
            pointer = true;
            break;
          case CK_BitCast:
            if (!pointer) return;
            break;
          default:  // a read (lvalue-to-rvalue), a conversion of the value
            return;
        }
        cur = cast_expr;
        continue;
      }
      if (const auto* member = dyn_cast<MemberExpr>(parent)) {
        if (member->getBase() != cur || member->isArrow() != pointer) return;
        const ValueDecl* decl = member->getMemberDecl();
        if (isa<FieldDecl>(decl) || isa<IndirectFieldDecl>(decl)) {
          pointer = false;
          derived = QualType();
          cur = member;
          continue;
        }
        const auto* method = dyn_cast<CXXMethodDecl>(decl);
        if (method == nullptr || method->isStatic() || method->isConst()) return;
        if (method->isExplicitObjectMemberFunction()) {
          Bind(key, member->getBeginLoc(), method->getParamDecl(0)->getType(), false, object);
          return;
        }
        const auto* call = i > 0 ? dyn_cast<CXXMemberCallExpr>(stack_[i - 1]) : nullptr;
        if (call != nullptr && call->getCallee() == member && Accessor(method)) {
          // `v.front()` with a const overload: what the result is used for decides.
          --i;
          pointer = !call->isGLValue();
          derived = QualType();
          cur = call;
          continue;
        }
        Record(key, (call != nullptr ? static_cast<const Expr*>(call) : member)->getBeginLoc(),
               object);
        return;
      }
      if (const auto* unary = dyn_cast<UnaryOperator>(parent)) {
        switch (unary->getOpcode()) {
          case UO_PreInc:
          case UO_PreDec:
          case UO_PostInc:
          case UO_PostDec:
            if (!pointer) Record(key, unary->getBeginLoc(), object);
            return;
          case UO_AddrOf:
            if (pointer) return;
            pointer = true;
            break;
          case UO_Deref:
            if (!pointer) return;
            pointer = false;
            break;
          default:
            return;
        }
        cur = unary;
        continue;
      }
      if (const auto* binary = dyn_cast<BinaryOperator>(parent)) {
        if (binary->isAssignmentOp() && binary->getLHS() == cur && !pointer) {
          Record(key, binary->getBeginLoc(), object);
          return;
        }
        if ((binary->getOpcode() == BO_Comma && binary->getRHS() == cur) ||
            (pointer && binary->isAdditiveOp() && binary->getType()->isPointerType())) {
          cur = binary;
          continue;
        }
        return;
      }
      if (const auto* conditional = dyn_cast<AbstractConditionalOperator>(parent)) {
        if (conditional->getCond() == cur || (!pointer && !conditional->isGLValue())) return;
        cur = conditional;
        continue;
      }
      if (const auto* subscript = dyn_cast<ArraySubscriptExpr>(parent)) {
        if (!pointer || subscript->getBase() != cur) return;
        pointer = false;
        cur = subscript;
        continue;
      }
      if (const auto* op = dyn_cast<CXXOperatorCallExpr>(parent)) {
        const auto* method = dyn_cast_or_null<CXXMethodDecl>(op->getDirectCallee());
        if (method != nullptr && !method->isExplicitObjectMemberFunction() &&
            op->getNumArgs() > 0 && op->getArg(0) == cur) {
          if (pointer || method->isConst() || method->isStatic()) return;
          if (Accessor(method)) {
            // `v[i]` with a const overload: what the element is used for decides.
            pointer = !op->isGLValue();
            derived = QualType();
            cur = op;
            continue;
          }
          Record(key, op->getBeginLoc(), object);
          return;
        }
      }
      if (const auto* call = dyn_cast<CallExpr>(parent)) {
        Argument(key, call, cur, pointer, object);
        return;
      }
      if (const auto* construct = dyn_cast<CXXConstructExpr>(parent)) {
        const CXXConstructorDecl* ctor = construct->getConstructor();
        for (unsigned j = 0; j < construct->getNumArgs(); ++j) {
          if (construct->getArg(j) != cur) continue;
          if (ctor != nullptr && j < ctor->getNumParams()) {
            Bind(key, construct->getBeginLoc(), ctor->getParamDecl(j)->getType(), pointer, object);
          } else if (pointer) {
            Record(key, construct->getBeginLoc(), object);
          }
        }
        return;
      }
      if (isa<InitListExpr>(parent) || isa<ReturnStmt>(parent)) {
        // A reference member or a returned reference bound to it, or a
        // pointer to it stored or returned.
        Record(key, cur->getBeginLoc(), object);
        return;
      }
      if (const auto* decl_stmt = dyn_cast<DeclStmt>(parent)) {
        for (const Decl* decl : decl_stmt->decls()) {
          const auto* var = dyn_cast<VarDecl>(decl);
          if (var == nullptr || var->getInit() != cur) continue;
          const auto* range_for = i > 0 ? dyn_cast<CXXForRangeStmt>(stack_[i - 1]) : nullptr;
          if (range_for != nullptr && range_for->getRangeStmt() == decl_stmt) {
            // `for (auto& x : v)`: the elements are modified through x when
            // it is a reference to non-const.
            const VarDecl* loop = range_for->getLoopVariable();
            if (loop != nullptr && loop->getType()->isReferenceType()) {
              Record(key, loop->getLocation(), loop->getType().getNonReferenceType());
              Alias(key, loop, /*pointer=*/false);
            }
            return;
          }
          Bind(key, var->getLocation(), var->getType(), pointer, object);
          Alias(key, var, pointer);
        }
        return;
      }
      if (const auto* lambda = dyn_cast<LambdaExpr>(parent)) {
        // A nested lambda's capture: a by-reference one is followed in its
        // body; an init-capture `[&r = x]` binds a reference.
        const LambdaCapture* capture = lambda->capture_begin();
        for (const Expr* init : lambda->capture_inits()) {
          if (init == cur && capture->capturesVariable()) {
            if (const auto* var = dyn_cast<VarDecl>(capture->getCapturedVar())) {
              if (var->isInitCapture()) {
                Bind(key, var->getLocation(), var->getType(), pointer, object);
              }
            }
          }
          ++capture;
        }
        return;
      }
      return;  // any other use reads it
    }
  }

  // A const reference (or pointer to const) declared in the closure and
  // bound to the tracked entity: its uses are the entity's (a const_cast of
  // it is a modification).
  void Alias(const ValueDecl* key, const VarDecl* var, bool pointer) {
    if (key == nullptr) return;  // `this`: not followed through a copy of the pointer
    QualType type = var->getType();
    if (pointer ? !type->isPointerType() : !type->isReferenceType()) return;
    if (found.count(key) != 0 || vars_.count(var) != 0) return;
    vars_.insert(var);
    aliases_[var] = key;
  }

  // A non-const member function that only hands out a reference or a
  // pointer into the object and has a const overload taking the same
  // parameters (operator[], front(), data(), get()...): calling it modifies
  // nothing; using its result may.
  static bool Accessor(const CXXMethodDecl* method) {
    QualType result = method->getReturnType();
    if (!result->isReferenceType() && !result->isPointerType()) return false;
    const CXXRecordDecl* record = method->getParent();
    for (const NamedDecl* decl : record->lookup(method->getDeclName())) {
      const auto* other = dyn_cast<CXXMethodDecl>(decl->getUnderlyingDecl());
      if (const auto* tmpl = dyn_cast<FunctionTemplateDecl>(decl->getUnderlyingDecl())) {
        other = dyn_cast<CXXMethodDecl>(tmpl->getTemplatedDecl());
      }
      if (other == nullptr || other == method || !other->isConst() ||
          other->getNumParams() != method->getNumParams()) {
        continue;
      }
      bool same = true;
      for (unsigned j = 0; j < method->getNumParams() && same; ++j) {
        same = method->getASTContext().hasSameType(other->getParamDecl(j)->getType(),
                                                   method->getParamDecl(j)->getType());
      }
      if (same) return true;
    }
    return false;
  }

  void Argument(const ValueDecl* key, const CallExpr* call, const Expr* cur, bool pointer,
                QualType object) {
    const FunctionProtoType* proto = nullptr;
    if (const FunctionDecl* callee = call->getDirectCallee()) {
      proto = callee->getType()->getAs<FunctionProtoType>();
    } else if (const Expr* callee = call->getCallee()) {
      QualType type = callee->getType();
      if (type->isPointerType() || type->isReferenceType()) type = type->getPointeeType();
      proto = type->getAs<FunctionProtoType>();
    }
    unsigned offset = 0;
    if (const auto* op = dyn_cast<CXXOperatorCallExpr>(call)) {
      if (isa_and_nonnull<CXXMethodDecl>(op->getDirectCallee()) &&
          !cast<CXXMethodDecl>(op->getDirectCallee())->isExplicitObjectMemberFunction()) {
        offset = 1;  // the object is argument 0, and no parameter
      }
    }
    for (unsigned j = offset; j < call->getNumArgs(); ++j) {
      if (call->getArg(j) != cur) continue;
      unsigned param = j - offset;
      if (proto != nullptr && param < proto->getNumParams()) {
        Bind(key, call->getBeginLoc(), proto->getParamType(param), pointer, object);
      } else if (pointer || proto == nullptr) {
        Record(key, call->getBeginLoc(), object);  // through `...`, or unknown
      }
    }
  }

  llvm::SmallPtrSet<const ValueDecl*, 8> vars_;
  llvm::DenseMap<const ValueDecl*, const ValueDecl*> aliases_;  // alias -> captured entity
  bool track_this_;
  llvm::SmallPtrSet<const ValueDecl*, 8> shadowed_;
  bool this_shadowed_ = false;
  std::vector<const Stmt*> stack_;
};

// One rejected capture, before deduplication.
struct Finding {
  SourceLocation where;
  std::string message;
  // Lower is preferred: 0 for a call the user wrote, +2 inside a template
  // instantiation, +1 for SendFn's constructor (reached through a boundary
  // that wraps the closure).
  int rank;
  // A note after the error ("captured here"), when `note_where` is valid.
  SourceLocation note_where;
  std::string note;
};

class Checker {
 public:
  Checker(CompilerInstance& ci, Sema& sema) : ci_(ci), sema_(sema), ctx_(ci.getASTContext()) {
    DiagnosticsEngine& diags = ci.getDiagnostics();
    error_id_ = diags.getCustomDiagID(DiagnosticsEngine::Error, "%0");
    note_id_ = diags.getCustomDiagID(DiagnosticsEngine::Note, "%0");
  }

  bool Ready() {
    NamespaceDecl* ferrite = LookupNamespace(ctx_.getTranslationUnitDecl(), "ferrite");
    if (ferrite == nullptr) return false;
    send_ = LookupConcept(ferrite, "Send");
    sync_ = LookupConcept(ferrite, "Sync");
    sync_mut_ = LookupConcept(ferrite, "SyncMut");
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
  void AddScopeBody(const CXXRecordDecl* closure) { scope_bodies_.insert(closure->getCanonicalDecl()); }

  // in_instantiation: the call is in a template instantiation (its findings
  // rank below those of a call the user wrote).
  void CheckCall(const Boundary& boundary, const Expr* call, ArrayRef<const Expr*> args,
                 bool in_instantiation) {
    boundary_ = &boundary;
    in_instantiation_ = in_instantiation;
    pool_ = boundary.lifetime == Lifetime::kPool ? PoolVariable(call) : nullptr;
    scope_fn_ = boundary.name == "Scope::spawn" ? ScopeFunction(call) : nullptr;
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
      if (boundary.returns) CheckResults(arg);
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
      if (f->note_where.isValid()) ci_.getDiagnostics().Report(f->note_where, note_id_) << f->note;
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
  // array elements, base classes, and what a std::reference_wrapper refers
  // to. `shared`: the value is reached through a reference that another
  // thread may hold too (a borrowed closure), so what a closure holds by
  // copy is shared, not moved.
  void FindInType(QualType type, llvm::SmallPtrSet<const CXXRecordDecl*, 8>& seen, int depth,
                  bool shared = false) {
    if (depth > 6 || type.isNull() || type->isDependentType()) return;
    type = type.getNonReferenceType();
    if (const ArrayType* array = ctx_.getAsArrayType(type)) {
      FindInType(array->getElementType(), seen, depth + 1, shared);
      return;
    }
    const CXXRecordDecl* record = type->getAsCXXRecordDecl();
    if (record == nullptr || !record->hasDefinition()) return;
    record = record->getDefinition();
    if (record->isLambda()) {
      CheckClosure(record, seen, depth, shared);
      return;
    }
    if (const auto* spec = dyn_cast<ClassTemplateSpecializationDecl>(record)) {
      if (record->isInStdNamespace() && record->getName() == "reference_wrapper" &&
          spec->getTemplateArgs().size() == 1 &&
          spec->getTemplateArgs()[0].getKind() == TemplateArgument::Type) {
        BorrowedClosures("the closure that a std::reference_wrapper refers to",
                         spec->getTemplateArgs()[0].getAsType(), seen, depth);
        return;
      }
    }
    if (!seen.insert(record).second) return;
    for (const FieldDecl* field : record->fields()) {
      FindInType(field->getType(), seen, depth + 1, shared);
    }
    for (const CXXBaseSpecifier& base : record->bases()) {
      FindInType(base.getType(), seen, depth + 1, shared);
    }
  }

  // A closure the thread borrows (a capture by reference, a
  // std::reference_wrapper): calling it uses what it captured, from every
  // thread that holds the reference. Its captures are checked as the
  // lambda's own would be, and what it holds by copy must be Sync.
  void BorrowedClosures(const std::string& subject, QualType type,
                        llvm::SmallPtrSet<const CXXRecordDecl*, 8>& seen, int depth) {
    std::string saved = subject_;
    subject_ = subject;
    FindInType(type, seen, depth + 1, /*shared=*/true);
    subject_ = saved;
  }

  // What a job returns (thread::spawn, Scope::spawn, ThreadPool::submit)
  // crosses to the thread that joins it, maybe after the job's locals and
  // the thread are gone: a closure in it is checked as one crossing the
  // boundary, and may not borrow the job's own locals.
  void CheckResults(const Expr* arg) {
    if (arg->isTypeDependent()) return;
    const CXXRecordDecl* job = arg->getType().getNonReferenceType()->getAsCXXRecordDecl();
    if (job == nullptr || !job->hasDefinition()) return;
    job = job->getDefinition();
    if (!job->isLambda()) return;
    std::vector<QualType> results;
    if (const FunctionTemplateDecl* tmpl = job->getDependentLambdaCallOperator()) {
      for (const FunctionDecl* spec : tmpl->specializations()) results.push_back(spec->getReturnType());
    } else if (const CXXMethodDecl* op = job->getLambdaCallOperator()) {
      results.push_back(op->getReturnType());
    }
    for (QualType result : results) {
      if (result.isNull() || result->isVoidType() || result->isDependentType()) continue;
      std::string saved = subject_;
      subject_ = "the closure that the job returns";
      result_of_ = job;
      llvm::SmallPtrSet<const CXXRecordDecl*, 8> seen;
      FindInType(result, seen, 0);
      result_of_ = nullptr;
      subject_ = saved;
    }
  }

  // Whether `var` is a local or a parameter of the closure `job` (or of a
  // lambda inside it).
  static bool LocalTo(const VarDecl* var, const CXXRecordDecl* job) {
    for (const DeclContext* ctx = var->getDeclContext(); ctx != nullptr; ctx = ctx->getParent()) {
      if (const auto* method = dyn_cast<CXXMethodDecl>(ctx)) {
        if (method->getParent()->getCanonicalDecl() == job->getCanonicalDecl()) return true;
      }
      if (ctx->isFileContext()) break;
    }
    return false;
  }

  // `shared`: the closure is borrowed (BorrowedClosures).
  void CheckClosure(const CXXRecordDecl* closure, llvm::SmallPtrSet<const CXXRecordDecl*, 8>& seen,
                    int depth, bool shared = false) {
    if (closure == nullptr || !seen.insert(closure).second) return;
    std::map<const ValueDecl*, MutationFinder::Mutation> mutations = Mutations(closure);
    for (const LambdaCapture& capture : closure->captures()) {
      SourceLocation where = capture.getLocation();
      if (where.isInvalid()) where = closure->getLocation();
      switch (capture.getCaptureKind()) {
        case LCK_This:
          if (CheckBorrow("this", ThisClass(closure), where, nullptr)) {
            CheckMutation("this", nullptr, ThisClass(closure), where, mutations);
          }
          break;
        case LCK_StarThis:
          if (shared) {
            CheckShared("*this", ThisClass(closure), where, seen, depth);
          } else {
            CheckCopy("*this", ThisClass(closure), where, seen, depth);
          }
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
            if (CheckBorrow(name, type.getNonReferenceType(), where, var)) {
              CheckMutation(name, captured, type.getNonReferenceType(), where, mutations);
              if (boundary_->lifetime != Lifetime::kUnscoped) {
                BorrowedClosures("the closure '" + name + "' that " + subject_ + " borrows",
                                 type.getNonReferenceType(), seen, depth);
              }
            }
          } else if (shared) {
            CheckShared(name, type.getNonReferenceType(), where, seen, depth);
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
    Report(where, boundary_->name + ": " + subject_ + " captures '" + name + "' by copy, but " +
                      why + ".");
  }

  // A copy held by a borrowed closure: every thread that holds the
  // reference uses it, so it must be Sync.
  void CheckShared(const std::string& name, QualType type, SourceLocation where,
                   llvm::SmallPtrSet<const CXXRecordDecl*, 8>& seen, int depth) {
    if (type.isNull() || type->isDependentType()) return;
    FindInType(type, seen, depth + 1, /*shared=*/true);
    std::string why = !Satisfies(sync_, type, where) ? Explain(type, /*send=*/false, where)
                                                     : FieldsExplain(type, /*send=*/false, where);
    if (why.empty()) return;
    Report(where, boundary_->name + ": " + subject_ + " holds '" + name +
                      "' by copy, and every thread that borrows the closure uses it, but " + why +
                      ".");
  }

  // Whether the borrow passed (no error reported).
  bool CheckBorrow(const std::string& name, QualType referent, SourceLocation where,
                   const VarDecl* var) {
    if (referent.isNull() || referent->isDependentType()) return true;
    std::string type_name = Spell(referent);
    if (result_of_ != nullptr && var != nullptr && LocalTo(var, result_of_)) {
      Report(where, boundary_->name + ": " + subject_ + " borrows '" + name + "' (" + type_name +
                        "), a local of the job that dies when the job returns; capture it by copy "
                        "or move.");
      return false;
    }
    if (result_of_ != nullptr && boundary_->lifetime != Lifetime::kScoped) {
      Report(where, boundary_->name + ": " + subject_ + " borrows '" + name + "' (" + type_name +
                        "), but the result comes back through the handle and may outlive it; "
                        "capture it by copy or move, or share it through an Arc.");
      return false;
    }
    if (boundary_->lifetime == Lifetime::kUnscoped) {
      Report(where, boundary_->name + ": " + subject_ + " captures '" + name + "' (" + type_name +
                        ") by reference, but nothing joins the thread before it dies; move it "
                        "into the lambda, share it through an Arc (Arc<Mutex<" +
                        Spell(referent.getUnqualifiedType()) +
                        ">> to write it: an Arc hands out const&), or borrow it from a thread "
                        "spawned by Scope::spawn in thread::scope.");
      return false;
    }
    if (boundary_->lifetime == Lifetime::kPool) {
      // The job borrows the pool it is queued on: the pool runs it before its
      // destructor returns, and cannot be moved out of its variable.
      if (var != nullptr && pool_ != nullptr &&
          var->getCanonicalDecl() == pool_->getCanonicalDecl()) {
        return true;
      }
      if (var == nullptr || !OutlivesPool(var)) {
        Report(where, boundary_->name + ": " + subject_ + " captures '" + name + "' (" +
                          type_name + ") by reference, but it may die before the pool runs the job: only a "
                          "local declared before the pool, in the same function, outlives a "
                          "local ThreadPool's jobs (its destructor runs them all); declare it "
                          "before the pool, move it into the lambda, or share it through an "
                          "Arc (Arc<Mutex<" +
                          Spell(referent.getUnqualifiedType()) + ">> to write it).");
        return false;
      }
      // Declared before the pool: a scoped borrow, checked as Scope::spawn's.
    }
    if (var != nullptr && !var->getType()->isReferenceType() && var->hasLocalStorage() &&
        DeclaredInScopeBody(var)) {
      Report(where, boundary_->name + ": " + subject_ + " borrows '" + name + "' (" + type_name +
                        "), which does not live long enough: it is a local of the closure "
                        "passed to thread::scope (or of the function that spawns on the Scope "
                        "it was given) and dies before the scope joins its threads; declare it "
                        "before thread::scope, or capture it by copy or move.");
      return false;
    }
    if (var != nullptr && var->getType()->isReferenceType() && var->hasLocalStorage() &&
        DeclaredInScopeBody(var) && RefersToScopeLocal(var->getInit(), 0)) {
      Report(where, boundary_->name + ": " + subject_ + " borrows '" + name + "' (" + type_name +
                        "), a reference to an object that does not live long enough: a local "
                        "of the closure passed to thread::scope or of the function that spawns "
                        "on the Scope (or a temporary bound to the reference there), which dies "
                        "before the scope joins its threads; "
                        "declare the object before thread::scope, or capture it by copy or "
                        "move.");
      return false;
    }
    std::string why;
    if (!Satisfies(sync_, referent, where)) {
      why = Explain(referent, /*send=*/false, where);
    } else {
      why = FieldsExplain(referent, /*send=*/false, where);
    }
    if (why.empty()) return true;
    Report(where, boundary_->name + ": " + subject_ + " captures '" + name +
                      "' by reference, but " + why + ".");
    return false;
  }

  // Rule 1's second half at a boundary that accepts borrows: the closure's
  // code modifies by-reference captures only where the modified object is
  // ferrite::SyncMut (its non-const members are safe on two threads at once,
  // as std::atomic's are). Two scoped threads or pool jobs that both write
  // an `int&` race; Rust's `&mut` is exclusive, so it never crosses twice.
  std::map<const ValueDecl*, MutationFinder::Mutation> Mutations(const CXXRecordDecl* closure) {
    if (boundary_->lifetime == Lifetime::kUnscoped || sync_mut_ == nullptr) return {};
    llvm::SmallPtrSet<const ValueDecl*, 8> vars;
    bool track_this = false;
    for (const LambdaCapture& capture : closure->captures()) {
      if (capture.getCaptureKind() == LCK_This) track_this = true;
      if (capture.getCaptureKind() != LCK_ByRef || !capture.capturesVariable()) continue;
      const ValueDecl* var = capture.getCapturedVar();
      // A const object is modified only through const_cast, which is
      // undefined behaviour; a const reference may name a non-const object,
      // which a const_cast then modifies.
      if (!var->getType().isConstQualified()) vars.insert(var);
    }
    for (const LambdaCapture& capture : closure->captures()) {
      // `[&r = x]`: an init-capture by reference; its uses name `r`.
      if (capture.getCaptureKind() == LCK_ByCopy && capture.capturesVariable()) {
        const auto* var = dyn_cast<VarDecl>(capture.getCapturedVar());
        if (var != nullptr && var->isInitCapture() && var->getType()->isReferenceType()) {
          vars.insert(var);
        }
      }
    }
    if (vars.empty() && !track_this) return {};
    MutationFinder finder(std::move(vars), track_this);
    finder.WalkClosure(closure);
    return std::move(finder.found);
  }

  // `whole`: the referent's type (a subobject of it may be what is modified).
  void CheckMutation(const std::string& name, const ValueDecl* captured, QualType whole,
                     SourceLocation capture,
                     const std::map<const ValueDecl*, MutationFinder::Mutation>& mutations) {
    auto it = mutations.find(captured);
    if (it == mutations.end()) return;
    const MutationFinder::Mutation& mutation = it->second;
    QualType type = mutation.type;
    if (type.isNull() || type->isDependentType() || Satisfies(sync_mut_, type, mutation.where)) {
      return;
    }
    std::string type_name = Spell(type);
    const char* verb = mutation.cast ? "casts const away from " : "modifies ";
    std::string what = captured == nullptr
                           ? verb + std::string("*this (captured by reference as 'this')")
                           : verb + ("'" + name + "' (captured by reference)");
    if (!whole.isNull() && ctx_.getCanonicalType(whole.getUnqualifiedType()) !=
                               ctx_.getCanonicalType(type)) {
      what += " through a subobject of type " + type_name;
    }
    std::string way_out;
    const CXXRecordDecl* record = type->getAsCXXRecordDecl();
    std::string qualified = record != nullptr ? PlainQualifiedName(record) : "";
    if (qualified == "ferrite::Mutex" || qualified == "ferrite::RwLock") {
      way_out = "lock it (lock() / with_lock()" +
                std::string(qualified == "ferrite::RwLock" ? ", write()" : "") +
                ") instead: get_mut() and the other non-const members need exclusive access";
    } else {
      std::string plain = Spell(type.getUnqualifiedType());
      way_out = type.isTriviallyCopyableType(ctx_) && !type->isArrayType()
                    ? "use std::atomic<" + plain + "> or Mutex<" + plain + ">"
                    : "use Mutex<" + plain + ">";
      way_out += ", or move the value into the lambda";
      if (record != nullptr && qualified.rfind("ferrite::", 0) != 0 && !record->isInStdNamespace() &&
          !record->isLambda()) {
        way_out += "; if every non-const member of " + plain +
                   " is safe to call from two threads at once, add FERRITE_UNSAFE_IMPL_SYNC_MUT(" +
                   plain + ") with a SAFETY note";
      }
    }
    Report(mutation.where,
           boundary_->name + ": " + subject_ + " " + what + ", but " + type_name +
               " is not safe to mutate from two threads (ferrite::SyncMut); " + way_out + ".",
           capture, "'" + name + "' is captured by reference here");
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

  // The object a member call is made on (`pool` in `pool.execute(...)`), or
  // null for any other call.
  static const Expr* CallObject(const Expr* call) {
    const auto* member_call = dyn_cast<CXXMemberCallExpr>(call);
    return member_call == nullptr ? nullptr : member_call->getImplicitObjectArgument();
  }

  // The variable `expr` names, parentheses and implicit casts aside; null
  // for anything else.
  static const VarDecl* NamedVariable(const Expr* expr) {
    if (expr == nullptr) return nullptr;
    const auto* ref = dyn_cast<DeclRefExpr>(expr->IgnoreParenImpCasts());
    return ref == nullptr ? nullptr : dyn_cast<VarDecl>(ref->getDecl());
  }

  // The variable that a ThreadPool::execute / submit call is made on
  // (`pool.execute(...)`), when it is a ferrite::ThreadPool or a reference to
  // one; null for a pool reached through a pointer, a member or an Arc, and
  // for a class derived from ThreadPool (its own members die before the
  // ThreadPool destructor runs the jobs).
  static const VarDecl* PoolVariable(const Expr* call) {
    const VarDecl* var = NamedVariable(CallObject(call));
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

  // Whether a reference (or pointer) initialized from `expr` may refer to
  // an object that dies with the closure passed to thread::scope: a local
  // of it (or a subobject, an element, what a local pointer or reference
  // there designates), or a temporary whose life the reference extends.
  // What a call returns is followed into the arguments it takes by
  // reference or pointer (and the object of a member call): `v[i]` refers
  // into `v`, not into `i`.
  bool RefersToScopeLocal(const Expr* expr, int depth) {
    if (expr == nullptr || depth > 8) return false;
    expr = expr->IgnoreParens();
    if (isa<MaterializeTemporaryExpr>(expr)) return true;
    if (const auto* cast_expr = dyn_cast<CastExpr>(expr)) {
      return RefersToScopeLocal(cast_expr->getSubExpr(), depth);
    }
    if (const auto* full = dyn_cast<FullExpr>(expr)) return RefersToScopeLocal(full->getSubExpr(), depth);
    if (const auto* bind = dyn_cast<CXXBindTemporaryExpr>(expr)) {
      return RefersToScopeLocal(bind->getSubExpr(), depth);
    }
    if (const auto* ref = dyn_cast<DeclRefExpr>(expr)) {
      const auto* var = dyn_cast<VarDecl>(ref->getDecl());
      if (var == nullptr || !var->hasLocalStorage() || !DeclaredInScopeBody(var)) return false;
      // A reference or pointer designates what it was bound to; so does the
      // iterator a range-for declares (`for (auto& x : v)`: x is *__begin,
      // which points into v).
      if (var->getType()->isReferenceType() || var->getType()->isPointerType() ||
          var->isImplicit()) {
        return RefersToScopeLocal(var->getInit(), depth + 1);
      }
      return true;
    }
    if (const auto* member = dyn_cast<MemberExpr>(expr)) {
      return RefersToScopeLocal(member->getBase(), depth);
    }
    if (const auto* unary = dyn_cast<UnaryOperator>(expr)) {
      if (unary->getOpcode() != UO_Deref && unary->getOpcode() != UO_AddrOf) return false;
      return RefersToScopeLocal(unary->getSubExpr(), depth);
    }
    if (const auto* subscript = dyn_cast<ArraySubscriptExpr>(expr)) {
      return RefersToScopeLocal(subscript->getBase(), depth);
    }
    if (const auto* conditional = dyn_cast<AbstractConditionalOperator>(expr)) {
      return RefersToScopeLocal(conditional->getTrueExpr(), depth) ||
             RefersToScopeLocal(conditional->getFalseExpr(), depth);
    }
    if (const auto* binary = dyn_cast<BinaryOperator>(expr)) {
      if (binary->getOpcode() == BO_Comma || binary->isAssignmentOp()) {
        return RefersToScopeLocal(binary->getOpcode() == BO_Comma ? binary->getRHS()
                                                                  : binary->getLHS(),
                                  depth);
      }
      if (binary->isAdditiveOp() && binary->getType()->isPointerType()) {
        return RefersToScopeLocal(binary->getLHS(), depth) ||
               RefersToScopeLocal(binary->getRHS(), depth);
      }
      return false;
    }
    if (const auto* call = dyn_cast<CallExpr>(expr)) {
      if (const auto* member_call = dyn_cast<CXXMemberCallExpr>(call)) {
        if (RefersToScopeLocal(member_call->getImplicitObjectArgument(), depth)) return true;
      }
      const FunctionDecl* callee = call->getDirectCallee();
      unsigned offset = 0;
      if (const auto* op = dyn_cast<CXXOperatorCallExpr>(call)) {
        if (const auto* method = dyn_cast_or_null<CXXMethodDecl>(callee);
            method != nullptr && !method->isExplicitObjectMemberFunction()) {
          if (op->getNumArgs() > 0 && RefersToScopeLocal(op->getArg(0), depth)) return true;
          offset = 1;
        }
      }
      for (unsigned j = offset; j < call->getNumArgs(); ++j) {
        unsigned param = j - offset;
        QualType type = callee != nullptr && param < callee->getNumParams()
                            ? callee->getParamDecl(param)->getType()
                            : call->getArg(j)->getType();
        if (!type->isReferenceType() && !type->isPointerType()) continue;
        if (RefersToScopeLocal(call->getArg(j), depth)) return true;
      }
      return false;
    }
    return false;
  }

  // The function whose parameter is the Scope that `s.spawn(...)` is called
  // on (through captures and local references to it): thread::scope calls
  // it, or something it calls, so its locals die before the scope joins,
  // whether it is a lambda written in place, a named or generic one, a
  // function object or a plain function. Null when the Scope is reached
  // some other way (a member, a pointer).
  static const DeclContext* ScopeFunction(const Expr* call) {
    const Expr* object = CallObject(call);
    for (int steps = 0; object != nullptr && steps < 8; ++steps) {
      const VarDecl* var = NamedVariable(object);
      if (var == nullptr) return nullptr;
      if (isa<ParmVarDecl>(var)) return var->getDeclContext();
      if (!var->getType()->isReferenceType()) return nullptr;
      object = var->getInit();
    }
    return nullptr;
  }

  bool DeclaredInScopeBody(const VarDecl* var) {
    for (const DeclContext* ctx = var->getDeclContext(); ctx != nullptr; ctx = ctx->getParent()) {
      if (scope_fn_ != nullptr && ctx == scope_fn_) return true;
      if (const auto* method = dyn_cast<CXXMethodDecl>(ctx)) {
        // The call operator, or an instantiation of a generic one.
        if (scope_bodies_.count(method->getParent()->getCanonicalDecl()) != 0) return true;
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

  void Report(SourceLocation where, std::string message, SourceLocation note_where = {},
              std::string note = "") {
    int rank = (in_instantiation_ ? 2 : 0) + (boundary_->name == "SendFn" ? 1 : 0);
    findings_.push_back({where, std::move(message), rank, note_where, std::move(note)});
  }

  CompilerInstance& ci_;
  Sema& sema_;
  ASTContext& ctx_;
  unsigned error_id_ = 0;
  unsigned note_id_ = 0;
  ConceptDecl* send_ = nullptr;
  ConceptDecl* sync_ = nullptr;
  ConceptDecl* sync_mut_ = nullptr;
  ClassTemplateDecl* impl_send_ = nullptr;
  ClassTemplateDecl* impl_sync_ = nullptr;
  FunctionTemplateDecl* send_message_ = nullptr;
  FunctionTemplateDecl* sync_message_ = nullptr;
  const Boundary* boundary_ = nullptr;
  // Who holds the capture being checked, as messages name it: "the lambda"
  // (the boundary's argument), or a closure it borrows or returns.
  std::string subject_ = "the lambda";
  // The job whose result is being checked (CheckResults), or null.
  const CXXRecordDecl* result_of_ = nullptr;
  const VarDecl* pool_ = nullptr;  // the local pool of a ThreadPool boundary, or null
  const DeclContext* scope_fn_ = nullptr;  // ScopeFunction() of a Scope::spawn call, or null
  bool in_instantiation_ = false;
  std::set<const CXXRecordDecl*> scope_bodies_;
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
  std::vector<const CXXRecordDecl*> scope_bodies;

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

  // A generic lambda's body is a template: the calls to check are in each
  // instantiation of its call operator, which is a member of the closure
  // class and not under the LambdaExpr, so they are walked here.
  bool TraverseLambdaExpr(LambdaExpr* lambda, DataRecursionQueue* queue = nullptr) {
    if (!RecursiveASTVisitor<Collector>::TraverseLambdaExpr(lambda, queue)) return false;
    if (const FunctionTemplateDecl* tmpl = lambda->getLambdaClass()->getDependentLambdaCallOperator()) {
      ++instantiation_depth_;
      for (FunctionDecl* spec : tmpl->specializations()) TraverseStmt(spec->getBody());
      --instantiation_depth_;
    }
    return true;
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

  // The closures an argument of thread::scope is or writes: a lambda
  // written in place, or a closure passed by name (`thread::scope(body)`).
  void CollectScopeBodies(const Stmt* stmt) {
    if (stmt == nullptr) return;
    if (const auto* expr = dyn_cast<Expr>(stmt); expr != nullptr && !expr->isTypeDependent()) {
      const CXXRecordDecl* record = expr->getType().getNonReferenceType()->getAsCXXRecordDecl();
      if (record != nullptr && record->isLambda()) scope_bodies.push_back(record);
    }
    if (const auto* lambda = dyn_cast<LambdaExpr>(stmt)) {
      scope_bodies.push_back(lambda->getLambdaClass());
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
    for (const CXXRecordDecl* body : collector.scope_bodies) checker.AddScopeBody(body);
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
