//! A todo list: the contract and its handlers.

use std::sync::Mutex;

use eventwire::{Contract, Cx, payload};

/// A todo to add.
#[payload]
pub struct NewTodo {
    /// 1–100 characters.
    #[validate(length(min = 1, max = 100))]
    pub title: String,
}

/// A todo on the list.
#[payload]
#[derive(Clone)]
pub struct Todo {
    pub id: u32,
    pub title: String,
}

/// Why a todo was not added.
#[payload]
#[serde(tag = "code", rename_all = "camelCase")]
pub enum TodoError {
    /// The list holds at most `max` todos.
    ListFull { max: u32 },
}

#[derive(Contract)]
#[contract(namespace = "/todos")]
pub enum TodoApi {
    /// Adds a todo; everyone connected hears about it.
    #[client(ack = Result<Todo, TodoError>)]
    Add(NewTodo),
    /// The whole list.
    #[client(ack = Vec<Todo>)]
    List,
    /// A todo was added.
    #[server]
    Added(Todo),
}

/// The app's state: the list.
#[derive(Default)]
pub struct App {
    todos: Mutex<Vec<Todo>>,
}

impl TodoApiHandlers for App {
    async fn add(&self, cx: &Cx<TodoApi>, new: NewTodo) -> Result<Todo, TodoError> {
        let todo = {
            let mut todos = self.todos.lock().unwrap();
            if todos.len() >= 1000 {
                return Err(TodoError::ListFull { max: 1000 });
            }
            let todo = Todo {
                id: todos.len() as u32 + 1,
                title: new.title,
            };
            todos.push(todo.clone());
            todo
        };
        let _ = cx.everyone().emit(TodoApi::added(todo.clone())).await;
        Ok(todo)
    }

    async fn list(&self, _: &Cx<TodoApi>) -> Vec<Todo> {
        self.todos.lock().unwrap().clone()
    }
}
